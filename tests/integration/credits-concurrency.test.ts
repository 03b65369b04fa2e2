import { describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, getCreditsBalance, InsufficientCreditsError } from '@/features/common/payments/service/credits-balance.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Real concurrency needs real Postgres (CI sets TEST_DATABASE_URL); PGlite runs one statement at a
// time, so there these tests only check the bookkeeping.
setupTestDatabase({ poolSize: 32 });

/** Runs every call at once and sorts the outcomes; any error but InsufficientCreditsError fails the test. */
async function settle<T>(calls: (() => Promise<T>)[]) {
  const outcomes = await Promise.allSettled(calls.map((call) => call()));
  const refused = outcomes.filter((o) => o.status === 'rejected');
  for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientCreditsError);
  return { succeeded: outcomes.length - refused.length, refused: refused.length };
}

describe(`concurrent deductions on one user (${testDriver})`, () => {
  it('never overdraw: exactly as many succeed as the balance allows', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 120, creditsType: 'bonus', reason: 'Promo' });
    await addCreditsDirectly({ userId: user.id, credits: 180, creditsType: 'purchased', reason: 'Pack' });

    const { succeeded, refused } = await settle(
      Array.from({ length: 400 }, (_, i) => () => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })),
    );

    expect(succeeded).toBe(300);
    expect(refused).toBe(100);
    expect(await getCreditsBalance(user.id)).toEqual({ creditsBalance: 0, creditsBonus: 0, creditsPurchased: 0, creditsHeld: 0, creditsUsed: 300 });
    await expectLedgerMatchesBalances();
  });

  it('lose no update when grants race with deductions of mixed sizes', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 500, creditsType: 'purchased', reason: 'Pack' });
    const sizes = Array.from({ length: 300 }, (_, i) => (i % 7) + 1);
    const grants = Array.from({ length: 100 }, (_, i) => ({ credits: (i % 5) + 1, bucket: i % 2 ? ('bonus' as const) : ('purchased' as const) }));

    const calls = [
      ...sizes.map((credits, i) => () => deductCreditsBonusFirst({ userId: user.id, credits, reason: `Job ${i}` }).then((r) => r.deductedFromBonus + r.deductedFromPurchased)),
      ...grants.map((g, i) => () => addCreditsDirectly({ userId: user.id, credits: g.credits, creditsType: g.bucket, reason: `Grant ${i}` }).then(() => 0)),
    ].sort(() => Math.random() - 0.5);
    const outcomes = await Promise.allSettled(calls.map((call) => call()));

    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
    const spent = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
    const granted = grants.reduce((sum, g) => sum + g.credits, 0);
    const balance = await getCreditsBalance(user.id);

    expect(balance.creditsUsed).toBe(spent);
    expect(balance.creditsBalance).toBe(500 + granted - spent);
    expect(balance.creditsBonus).toBeGreaterThanOrEqual(0);
    expect(balance.creditsPurchased).toBeGreaterThanOrEqual(0);
    const ledger = await ledgerOf(user.id);
    expect(ledger.filter((e) => e.type === 'deduction').reduce((sum, e) => sum + e.usedDelta, 0)).toBe(spent);
    expect(ledger.filter((e) => e.reason.startsWith('Grant '))).toHaveLength(100);
    await expectLedgerMatchesBalances();
  });

  it('spend bonus first even when calls interleave', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'bonus', reason: 'Promo' });
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'purchased', reason: 'Pack' });

    await settle(Array.from({ length: 150 }, (_, i) => () => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })));

    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 0, purchased: 50, used: 150 });
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    // In ledger order, every deduction from purchased comes after the last one from bonus.
    const lastFromBonus = deductions.findLastIndex((e) => e.bonusDelta < 0);
    const firstFromPurchased = deductions.findIndex((e) => e.purchasedDelta < 0);
    expect(lastFromBonus).toBeLessThan(firstFromPurchased);
  });
});
