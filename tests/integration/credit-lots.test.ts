import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  InsufficientCreditsError,
  releaseCreditHold,
  reserveCredits,
} from '@/features/common/payments/service/credits-balance.service';
import { InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { expireDueCredits } from '@/features/common/payments/service/ledger/expiry';
import { listCreditLots, nextExpiry } from '@/features/common/payments/service/ledger/lots';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf, lotsOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase({ poolSize: 16 });

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

const DAY_MS = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);

/** Moves a wallet's lot expiries that fall before `before` into the past, as if that time had passed. */
async function letExpire(userId: string, lotIds: string[]) {
  const db = await getDb();
  for (const id of lotIds) await db.execute(sql`update credit_lots set expires_at = now() - interval '1 second' where id = ${id}`);
  await db.execute(sql`update credit_balances set next_expiry_at = now() - interval '1 second' where wallet_id = ${walletIdOf(userId)}`);
}

async function grant(userId: string, credits: number, creditsType: 'bonus' | 'purchased', expiresAt?: Date, reason = 'Grant') {
  const { lotId } = await addCreditsDirectly({ userId, credits, creditsType, reason, expiresAt });
  return lotId!;
}

describe(`spending order across lots on ${testDriver}`, () => {
  it('spends bonus before purchased and, within a bucket, the soonest-expiring lot first and never-expiring lots last', async () => {
    const user = await createUser();
    const bonusNever = await grant(user.id, 10, 'bonus');
    const bonusIn10 = await grant(user.id, 10, 'bonus', inDays(10));
    const bonusIn5 = await grant(user.id, 10, 'bonus', inDays(5));
    const purchasedNever = await grant(user.id, 10, 'purchased');
    const purchasedIn3 = await grant(user.id, 10, 'purchased', inDays(3));

    const left = async () => Object.fromEntries((await lotsOf(user.id)).map((lot) => [lot.id, lot.creditsLeft]));
    await deductCreditsBonusFirst({ userId: user.id, credits: 15, reason: 'Step 1' });
    expect(await left()).toMatchObject({ [bonusIn5]: 0, [bonusIn10]: 5, [bonusNever]: 10, [purchasedIn3]: 10, [purchasedNever]: 10 });
    await deductCreditsBonusFirst({ userId: user.id, credits: 18, reason: 'Step 2' });
    expect(await left()).toMatchObject({ [bonusIn10]: 0, [bonusNever]: 0, [purchasedIn3]: 7, [purchasedNever]: 10 });
    await deductCreditsBonusFirst({ userId: user.id, credits: 9, reason: 'Step 3' });
    expect(await left()).toMatchObject({ [purchasedIn3]: 0, [purchasedNever]: 8 });
  });

  it('spends the older of two lots that expire at the same time first', async () => {
    const user = await createUser();
    const at = inDays(7);
    const older = await grant(user.id, 5, 'bonus', at);
    const newer = await grant(user.id, 5, 'bonus', at);
    await deductCreditsBonusFirst({ userId: user.id, credits: 6, reason: 'Work' });
    const lots = Object.fromEntries((await lotsOf(user.id)).map((lot) => [lot.id, lot.creditsLeft]));
    expect(lots).toEqual({ [older]: 0, [newer]: 4 });
  });

  it('holds from lots in the same order and gives each its credits back on release', async () => {
    const user = await createUser();
    const soon = await grant(user.id, 10, 'bonus', inDays(2));
    const never = await grant(user.id, 10, 'bonus');
    const { holdId } = await reserveCredits({ userId: user.id, credits: 12, reason: 'Job' });
    expect(Object.fromEntries((await lotsOf(user.id)).map((lot) => [lot.id, lot.creditsLeft]))).toEqual({ [soon]: 0, [never]: 8 });
    await releaseCreditHold({ userId: user.id, holdId });
    expect(Object.fromEntries((await lotsOf(user.id)).map((lot) => [lot.id, lot.creditsLeft]))).toEqual({ [soon]: 10, [never]: 10 });
  });
});

describe(`expired lots on ${testDriver}`, () => {
  it('are never spendable, even before any job has run', async () => {
    const user = await createUser();
    const expiring = await grant(user.id, 50, 'bonus', inDays(1));
    await grant(user.id, 20, 'purchased');
    await letExpire(user.id, [expiring]);

    expect(await getCreditsBalance(user.id)).toEqual({ creditsBalance: 20, creditsBonus: 0, creditsPurchased: 20, creditsHeld: 0, creditsUsed: 0 });
    const error = await deductCreditsBonusFirst({ userId: user.id, credits: 21, reason: 'Too much' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ available: 20 });
  });

  it('go out in one expiration entry per lot, so balances, entries and lots agree', async () => {
    const user = await createUser();
    const a = await grant(user.id, 30, 'bonus', inDays(1));
    const b = await grant(user.id, 40, 'purchased', inDays(2));
    await grant(user.id, 5, 'bonus');
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Some' });
    await letExpire(user.id, [a, b]);

    await expireDueCredits(await getDb());

    const expirations = (await ledgerOf(user.id)).filter((e) => e.type === 'expiration');
    expect(expirations.map((e) => [e.lotId, e.bonusDelta, e.purchasedDelta, e.actorType])).toEqual([
      [a, -20, 0, 'system'],
      [b, 0, -40, 'system'],
    ]);
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 5, purchased: 0, used: 10, nextExpiryAt: null });
    // A second run finds nothing more to do.
    await expireDueCredits(await getDb());
    expect((await ledgerOf(user.id)).filter((e) => e.type === 'expiration')).toHaveLength(2);
  });

  it('are swept by the next deduction on the wallet when the job has not run', async () => {
    const user = await createUser();
    const a = await grant(user.id, 30, 'bonus', inDays(1));
    await grant(user.id, 30, 'purchased');
    await letExpire(user.id, [a]);
    const result = await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Work' });
    expect(result).toMatchObject({ deductedFromBonus: 0, deductedFromPurchased: 10, creditsBalance: 20 });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'grant', 'expiration', 'deduction']);
  });

  it('take back what a hold returns to them after they expired', async () => {
    const user = await createUser();
    const a = await grant(user.id, 30, 'bonus', inDays(1));
    const { holdId } = await reserveCredits({ userId: user.id, credits: 30, reason: 'Job' });
    await letExpire(user.id, [a]);
    // The lot expired while its credits were held: they come back to it and lapse with it.
    const released = await releaseCreditHold({ userId: user.id, holdId });
    expect(released).toMatchObject({ creditsBalance: 0, creditsHeld: 0 });
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 0 });
  });
});

describe(`expiry dates of new credits on ${testDriver}`, () => {
  it('takes an explicit expiresAt, and refuses one in the past', async () => {
    const user = await createUser();
    const at = inDays(30);
    const lotId = await grant(user.id, 10, 'bonus', at);
    expect((await lotsOf(user.id)).find((lot) => lot.id === lotId)?.expiresAt?.getTime()).toBe(at.getTime());
    await expect(
      addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason: 'x', expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(
      addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason: 'x', expiresAt: 'tomorrow' as unknown as Date }),
    ).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(
      addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason: 'x', expiresAt: new Date(Number.NaN) }),
    ).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });

  it('gives bonus credits the configured lifetime by default, and purchased credits none', async () => {
    const user = await createUser();
    appConfig.billing.credits.bonusExpiresAfterDays = 14;
    try {
      const bonus = await grant(user.id, 10, 'bonus');
      const purchased = await grant(user.id, 10, 'purchased');
      const lots = Object.fromEntries((await lotsOf(user.id)).map((lot) => [lot.id, lot.expiresAt]));
      expect(Math.abs(lots[bonus]!.getTime() - inDays(14).getTime())).toBeLessThan(60_000);
      expect(lots[purchased]).toBeNull();
    } finally {
      appConfig.billing.credits.bonusExpiresAfterDays = undefined;
    }
  });
});

describe(`expiry racing deductions (${testDriver})`, () => {
  it('never removes a credit twice nor overdraws', async () => {
    const user = await createUser();
    const expiring = await Promise.all(Array.from({ length: 10 }, () => grant(user.id, 20, 'bonus', inDays(1))));
    await grant(user.id, 100, 'purchased');
    const db = await getDb();

    const calls: (() => Promise<number>)[] = [
      ...Array.from({ length: 150 }, (_, i) => () => deductCreditsBonusFirst({ userId: user.id, credits: 2, reason: `Use ${i}` }).then(() => 2)),
      async () => {
        await letExpire(user.id, expiring.slice(0, 5));
        await expireDueCredits(db);
        return 0;
      },
      () => expireDueCredits(db).then(() => 0),
    ];
    const outcomes = await Promise.allSettled(calls.sort(() => Math.random() - 0.5).map((call) => call()));
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
    const spent = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
    const expired = (await ledgerOf(user.id)).filter((e) => e.type === 'expiration').reduce((sum, e) => sum - e.bonusDelta - e.purchasedDelta, 0);

    const row = await balanceRowOf(user.id);
    expect(row!.used).toBe(spent);
    expect(row!.bonus + row!.purchased).toBe(300 - spent - expired);
    expect(row!.bonus).toBeGreaterThanOrEqual(0);
  });
});

describe(`listCreditLots and nextExpiry on ${testDriver}`, () => {
  it('lists what is left lot by lot in spending order, and sums the credits of the first day any expire', async () => {
    const user = await createUser();
    const day = 24 * 60 * 60 * 1000;
    // Two lots on the same (UTC) day, minutes apart, and one later; one never expires.
    const morning = new Date(Math.floor(Date.now() / day) * day + 5 * day + 60_000);
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'purchased', reason: 'Forever' });
    await addCreditsDirectly({ userId: user.id, credits: 30, creditsType: 'bonus', reason: 'A', expiresAt: morning });
    await addCreditsDirectly({ userId: user.id, credits: 20, creditsType: 'purchased', reason: 'B', expiresAt: new Date(morning.getTime() + 10 * 60_000) });
    await addCreditsDirectly({ userId: user.id, credits: 50, creditsType: 'bonus', reason: 'C', expiresAt: new Date(morning.getTime() + 3 * day) });
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Use' });

    const lots = await listCreditLots(user.id);
    expect(lots.map((lot) => [lot.bucket, lot.creditsLeft, lot.creditsGranted])).toEqual([
      ['bonus', 20, 30],
      ['bonus', 50, 50],
      ['purchased', 20, 20],
      ['purchased', 100, 100],
    ]);
    expect(nextExpiry(lots)).toEqual({ expiresAt: morning, credits: 40 });
    expect(nextExpiry(lots.filter((lot) => !lot.expiresAt))).toBeNull();
  });

  it('leaves out spent and expired lots, and refuses a malformed id', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 10, creditsType: 'bonus', reason: 'Spent' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'All' });
    expect(await listCreditLots(user.id)).toEqual([]);
    await expect(listCreditLots('\u0000')).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });
});
