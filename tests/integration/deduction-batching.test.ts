import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, InsufficientCreditsError } from '@/features/common/payments/service/credits-balance.service';
import { IdempotencyConflictError } from '@/features/common/payments/service/credits-errors';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Batching is on by default (billing.credits.batchDeductions). Calls for one wallet made while one
// is in flight go to the database together, as one statement.
setupTestDatabase({ poolSize: 16 });

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

async function userWith(credits: { bonus?: number; purchased?: number }) {
  const user = await createUser();
  if (credits.bonus) await addCreditsDirectly({ userId: user.id, credits: credits.bonus, creditsType: 'bonus', reason: 'Promo' });
  if (credits.purchased) await addCreditsDirectly({ userId: user.id, credits: credits.purchased, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

describe(`batched deductions on ${testDriver}`, () => {
  it('send the calls that waited as one statement: several entries share one transaction', async () => {
    const user = await userWith({ purchased: 1000 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })));
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    expect(deductions).toHaveLength(60);
    // Entries written in one statement carry the same transaction time.
    const transactions = new Set(deductions.map((e) => e.createdAt.getTime()));
    expect(transactions.size).toBeLessThan(60);
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 940, used: 60 });
  });

  it('spend bonus first within a batch, in arrival order', async () => {
    const user = await userWith({ bonus: 25, purchased: 100 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })));
    expect(results.filter((r) => r.deductedFromBonus === 1)).toHaveLength(25);
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    const lastFromBonus = deductions.findLastIndex((e) => e.bonusDelta < 0);
    const firstFromPurchased = deductions.findIndex((e) => e.purchasedDelta < 0);
    expect(lastFromBonus).toBeLessThan(firstFromPurchased);
    // Each caller got the balances its own entry left behind.
    const afterById = new Map(deductions.map((e) => [String(e.id), e.purchasedAfter + e.bonusAfter]));
    for (const r of results) expect(r.creditsBalance).toBe(afterById.get(r.transactionId));
  });

  it('accept each call only while the running balance covers it, refusing the rest one by one', async () => {
    const user = await userWith({ purchased: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })),
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const o of refused) {
      expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
      expect(o.reason).toMatchObject({ required: 1, available: 0 });
    }
  });

  it('keep idempotency per call: one key in many concurrent calls charges once, another request with it conflicts', async () => {
    const user = await userWith({ purchased: 100 });
    const calls = [
      ...Array.from({ length: 20 }, () => deductCreditsBonusFirst({ userId: user.id, credits: 7, reason: 'Render', idempotencyKey: 'render-1' })),
      deductCreditsBonusFirst({ userId: user.id, credits: 8, reason: 'Render', idempotencyKey: 'render-1' }),
      ...Array.from({ length: 10 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Other ${i}` })),
    ];
    const outcomes = await Promise.allSettled(calls);
    const keyed = outcomes.slice(0, 20).map((o) => (o as PromiseFulfilledResult<{ transactionId: string }>).value.transactionId);
    expect(new Set(keyed).size).toBe(1);
    expect((outcomes[20] as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyConflictError);
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 17, purchased: 83 });
  });

  it('fall back to one statement per call when a batch fails as a whole, so no call fails for another', async () => {
    const user = await userWith({ purchased: 100 });
    const db = await getDb();
    await db.execute(sql`alter function credits_deduct_many(text, jsonb) rename to credits_deduct_many_off`);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 2, reason: `Call ${i}` })));
      expect(results).toHaveLength(20);
    } finally {
      await db.execute(sql`alter function credits_deduct_many_off(text, jsonb) rename to credits_deduct_many`);
    }
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 40, purchased: 60 });
    // No batch statement succeeded: every entry was written by a statement of its own.
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    expect(new Set(deductions.map((e) => e.createdAt.getTime())).size).toBe(20);
  });
});
