import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { createUser } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

describe('findLedgerDrift', () => {
  it('finds nothing when every balance came from the ledger', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'bonus', reason: 'Promo' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 30, reason: 'Work' });
    expect(await findLedgerDrift(await getDb())).toEqual([]);
  });

  it('names a user whose balance row was changed behind the ledger’s back', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'purchased', reason: 'Pack' });
    const db = await getDb();
    await db.execute(sql`update credit_balances set purchased = purchased + 5 where user_id = ${user.id}`);

    expect(await findLedgerDrift(db)).toEqual([
      { userId: user.id, balance: { purchased: 105, bonus: 0, used: 0 }, ledger: { purchased: 100, bonus: 0, used: 0 } },
    ]);
  });
});
