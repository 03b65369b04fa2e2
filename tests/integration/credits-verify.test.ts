import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, reserveCredits } from '@/features/common/payments/service/credits-balance.service';
import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { createUser, walletIdOf } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

/** Each test tampers with a wallet of its own; the earlier tests' drift stays in the shared database. */
async function driftOf(db: Awaited<ReturnType<typeof getDb>>, userId: string) {
  return (await findLedgerDrift(db)).filter((drift) => drift.walletId === walletIdOf(userId));
}

describe('findLedgerDrift', () => {
  it('finds nothing when every balance came from the ledger', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'bonus', reason: 'Promo' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 30, reason: 'Work' });
    await reserveCredits({ userId: user.id, credits: 20, reason: 'Job' });
    expect(await findLedgerDrift(await getDb())).toEqual([]);
  });

  it('names a wallet whose balance row was changed behind the ledger’s back, against its entries and its lots', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'purchased', reason: 'Pack' });
    const db = await getDb();
    await db.execute(sql`update credit_balances set purchased = purchased + 5 where wallet_id = ${walletIdOf(user.id)}`);

    const balance = { purchased: 105, bonus: 0, held: 0, used: 0 };
    expect(await driftOf(db, user.id)).toEqual([
      { walletId: walletIdOf(user.id), check: 'entries', balance, expected: { purchased: 100, bonus: 0, held: 0, used: 0 } },
      { walletId: walletIdOf(user.id), check: 'lots', balance, expected: { purchased: 100, bonus: 0, held: 0, used: 0 } },
    ]);
  });

  it('names a wallet whose lots no longer add up to its buckets', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 40, creditsType: 'bonus', reason: 'Promo' });
    const db = await getDb();
    await db.execute(sql`update credit_lots set credits_left = credits_left - 1 where wallet_id = ${walletIdOf(user.id)}`);

    expect(await driftOf(db, user.id)).toEqual([
      {
        walletId: walletIdOf(user.id),
        check: 'lots',
        balance: { purchased: 0, bonus: 40, held: 0, used: 0 },
        expected: { purchased: 0, bonus: 39, held: 0, used: 0 },
      },
    ]);
  });

  it('names a wallet whose held credits disagree with its open holds', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 40, creditsType: 'bonus', reason: 'Promo' });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 15, reason: 'Job' });
    const db = await getDb();
    await db.execute(sql`update credit_holds set status = 'released' where id = ${holdId}`);

    expect(await driftOf(db, user.id)).toEqual([
      {
        walletId: walletIdOf(user.id),
        check: 'holds',
        balance: { purchased: 0, bonus: 25, held: 15, used: 0 },
        expected: { purchased: 0, bonus: 25, held: 0, used: 0 },
      },
    ]);
  });
});
