import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  InsufficientCreditsError,
  listCreditTransactions,
  releaseCreditHold,
  reserveCredits,
  settleCreditHold,
  withCredits,
} from '@/features/common/payments/service/credits-balance.service';
import { HoldClosedError, HoldNotFoundError, IdempotencyConflictError, InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { expireDueCredits } from '@/features/common/payments/service/ledger/expiry';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf, lotsOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

async function userWith(credits: { bonus?: number; purchased?: number }) {
  const user = await createUser();
  if (credits.bonus) await addCreditsDirectly({ userId: user.id, credits: credits.bonus, creditsType: 'bonus', reason: 'Promo' });
  if (credits.purchased) await addCreditsDirectly({ userId: user.id, credits: credits.purchased, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

/** Moves a hold's expiry into the past, as if its time had run out (and lowers the wallet's hint with it). */
async function runOutTime(holdId: string) {
  const db = await getDb();
  await db.execute(sql`update credit_holds set expires_at = now() - interval '1 second' where id = ${holdId}`);
  await db.execute(sql`
    update credit_balances set next_expiry_at = now() - interval '1 second'
    where wallet_id = (select wallet_id from credit_holds where id = ${holdId})`);
}

describe(`reserveCredits on ${testDriver}`, () => {
  it('holds bonus credits first, then purchased ones, and takes them out of what can be spent', async () => {
    const user = await userWith({ bonus: 30, purchased: 100 });
    const hold = await reserveCredits({ userId: user.id, credits: 50, reason: 'LLM call' });

    expect(hold).toMatchObject({ creditsHeld: 50, heldFromBonus: 30, heldFromPurchased: 20, creditsBalance: 80 });
    expect(hold.expiresAt.getTime()).toBeGreaterThan(Date.now() + 890_000); // the configured 900 s
    expect(await getCreditsBalance(user.id)).toEqual({ creditsBalance: 80, creditsBonus: 0, creditsPurchased: 80, creditsHeld: 50, creditsUsed: 0 });
  });

  it('refuses what available credits do not cover and holds nothing', async () => {
    const user = await userWith({ bonus: 10, purchased: 10 });
    const error = await reserveCredits({ userId: user.id, credits: 21, reason: 'Too much' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ required: 21, available: 20 });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 10, purchased: 10, held: 0 });
  });

  it('cannot spend held credits: a deduction sees only what is left', async () => {
    const user = await userWith({ purchased: 100 });
    await reserveCredits({ userId: user.id, credits: 90, reason: 'Job' });
    await expect(deductCreditsBonusFirst({ userId: user.id, credits: 11, reason: 'More' })).rejects.toMatchObject({ available: 10 });
  });

  it('returns the same hold to a retry with the same key, and refuses the key with another request', async () => {
    const user = await userWith({ purchased: 100 });
    const first = await reserveCredits({ userId: user.id, credits: 40, reason: 'Job', idempotencyKey: 'job-1' });
    const again = await reserveCredits({ userId: user.id, credits: 40, reason: 'Job', idempotencyKey: 'job-1' });
    expect(again.holdId).toBe(first.holdId);
    expect(await balanceRowOf(user.id)).toMatchObject({ held: 40, purchased: 60 });
    await expect(reserveCredits({ userId: user.id, credits: 41, reason: 'Job', idempotencyKey: 'job-1' })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it('refuses a hold longer than 24 hours', async () => {
    const user = await userWith({ purchased: 10 });
    await expect(reserveCredits({ userId: user.id, credits: 1, reason: 'x', expiresInSeconds: 24 * 3600 + 1 })).rejects.toBeInstanceOf(
      InvalidCreditsInputError,
    );
  });
});

describe(`settleCreditHold on ${testDriver}`, () => {
  it('leaves the buckets exactly where one deduction of the same amount would have', async () => {
    const held = await userWith({ bonus: 30, purchased: 100 });
    const deducted = await userWith({ bonus: 30, purchased: 100 });
    const { holdId } = await reserveCredits({ userId: held.id, credits: 80, reason: 'Job' });

    const settled = await settleCreditHold({ userId: held.id, holdId, credits: 45 });
    await deductCreditsBonusFirst({ userId: deducted.id, credits: 45, reason: 'Job' });

    expect(settled).toMatchObject({ creditsCharged: 45, creditsReturned: 35, creditsHeld: 0 });
    const a = await balanceRowOf(held.id);
    const b = await balanceRowOf(deducted.id);
    expect({ bonus: a!.bonus, purchased: a!.purchased, used: a!.used }).toEqual({ bonus: b!.bonus, purchased: b!.purchased, used: b!.used });
    expect((await lotsOf(held.id)).map((lot) => lot.creditsLeft)).toEqual((await lotsOf(deducted.id)).map((lot) => lot.creditsLeft));
  });

  it('charges nothing and returns everything when settled at 0', async () => {
    const user = await userWith({ bonus: 5, purchased: 20 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 25, reason: 'Job' });
    expect(await settleCreditHold({ userId: user.id, holdId, credits: 0 })).toMatchObject({ creditsCharged: 0, creditsReturned: 25, creditsBalance: 25 });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 5, purchased: 20, held: 0, used: 0 });
  });

  it('refuses more than held without allowOverage, and leaves the hold open', async () => {
    const user = await userWith({ purchased: 100 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 10, reason: 'Job' });
    await expect(settleCreditHold({ userId: user.id, holdId, credits: 11 })).rejects.toBeInstanceOf(InvalidCreditsInputError);
    expect(await settleCreditHold({ userId: user.id, holdId, credits: 10 })).toMatchObject({ creditsCharged: 10 });
  });

  it('charges an overage from available credits when allowed', async () => {
    const user = await userWith({ bonus: 10, purchased: 100 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 20, reason: 'Job' });
    const settled = await settleCreditHold({ userId: user.id, holdId, credits: 35, allowOverage: true });
    expect(settled).toMatchObject({ creditsCharged: 35, creditsReturned: 0, creditsBalance: 75, creditsUsed: 35 });
  });

  it('refuses an overage available credits do not cover, and the hold stays open', async () => {
    const user = await userWith({ purchased: 30 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 20, reason: 'Job' });
    const error = await settleCreditHold({ userId: user.id, holdId, credits: 41, allowOverage: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ required: 21, available: 10 });
    expect(await balanceRowOf(user.id)).toMatchObject({ held: 20, purchased: 10 });
    await releaseCreditHold({ userId: user.id, holdId });
  });

  it('returns the first settlement when settled twice, and charges once', async () => {
    const user = await userWith({ purchased: 100 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 50, reason: 'Job' });
    const first = await settleCreditHold({ userId: user.id, holdId, credits: 30 });
    const second = await settleCreditHold({ userId: user.id, holdId, credits: 50 });
    expect(second).toMatchObject({ creditsCharged: 30, transactionId: first.transactionId });
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 30, purchased: 70, held: 0 });
  });

  it('refuses a hold that was released, naming its final state', async () => {
    const user = await userWith({ purchased: 100 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 50, reason: 'Job' });
    await releaseCreditHold({ userId: user.id, holdId });
    const error = await settleCreditHold({ userId: user.id, holdId, credits: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldClosedError);
    expect((error as HoldClosedError).hold).toMatchObject({ holdId, status: 'released', creditsHeld: 50, creditsCharged: null });
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 0, purchased: 100 });
  });

  it('does not find another user’s hold', async () => {
    const owner = await userWith({ purchased: 100 });
    const stranger = await userWith({ purchased: 100 });
    const { holdId } = await reserveCredits({ userId: owner.id, credits: 50, reason: 'Job' });
    await expect(settleCreditHold({ userId: stranger.id, holdId, credits: 50 })).rejects.toBeInstanceOf(HoldNotFoundError);
    await expect(releaseCreditHold({ userId: stranger.id, holdId })).rejects.toBeInstanceOf(HoldNotFoundError);
    expect(await balanceRowOf(owner.id)).toMatchObject({ held: 50 });
  });
});

describe(`releaseCreditHold on ${testDriver}`, () => {
  it('returns everything to the buckets it came from', async () => {
    const user = await userWith({ bonus: 15, purchased: 50 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 40, reason: 'Job' });
    expect(await releaseCreditHold({ userId: user.id, holdId })).toMatchObject({ creditsReturned: 40, creditsBalance: 65, creditsHeld: 0 });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 15, purchased: 50, held: 0, used: 0 });
  });

  it('returns the first result when released twice, and refuses a settled hold', async () => {
    const user = await userWith({ purchased: 50 });
    const a = await reserveCredits({ userId: user.id, credits: 10, reason: 'Job' });
    const first = await releaseCreditHold({ userId: user.id, holdId: a.holdId });
    expect(await releaseCreditHold({ userId: user.id, holdId: a.holdId })).toMatchObject({ transactionId: first.transactionId });

    const b = await reserveCredits({ userId: user.id, credits: 10, reason: 'Job' });
    await settleCreditHold({ userId: user.id, holdId: b.holdId, credits: 10 });
    await expect(releaseCreditHold({ userId: user.id, holdId: b.holdId })).rejects.toMatchObject({
      code: 'HOLD_CLOSED',
      hold: { status: 'settled', creditsCharged: 10 },
    });
  });
});

describe(`expired holds on ${testDriver}`, () => {
  it('are never shown as held, even before the job has run, and cannot be settled', async () => {
    const user = await userWith({ bonus: 10, purchased: 40 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 30, reason: 'Job' });
    await runOutTime(holdId);

    expect(await getCreditsBalance(user.id)).toEqual({ creditsBalance: 50, creditsBonus: 10, creditsPurchased: 40, creditsHeld: 0, creditsUsed: 0 });
    await expect(settleCreditHold({ userId: user.id, holdId, credits: 30 })).rejects.toMatchObject({ code: 'HOLD_CLOSED', hold: { status: 'expired' } });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 10, purchased: 40, held: 0, used: 0 });
  });

  it('come back by themselves after their time (a real one-second hold), recorded in the history', async () => {
    const user = await userWith({ purchased: 40 });
    await reserveCredits({ userId: user.id, credits: 25, reason: 'Job', expiresInSeconds: 1 });
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 15, creditsHeld: 25 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 40, creditsHeld: 0 });
    const db = await getDb();
    expect(await expireDueCredits(db)).toMatchObject({ expired: expect.any(Number) });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_expired']);
    // The history shows the expired hold as one line that changed nothing.
    const history = (await listCreditTransactions(user.id)).items;
    expect(history.map((e) => e.type)).toEqual(['hold_expired', 'grant']);
    expect(history[0]).toMatchObject({ heldDelta: 0, purchasedDelta: 0, usedDelta: 0, purchasedAfter: 40 });
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 40, held: 0, nextExpiryAt: null });
  });

  it('are expired by the next deduction on the wallet if the job has not run', async () => {
    const user = await userWith({ purchased: 40 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 40, reason: 'Job' });
    await runOutTime(holdId);
    await deductCreditsBonusFirst({ userId: user.id, credits: 40, reason: 'All of it' });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_expired', 'deduction']);
  });
});

describe(`holds in the history on ${testDriver}`, () => {
  it('shows an open hold as reserved, and a closed one as a single line with the net change of the pair', async () => {
    const user = await userWith({ bonus: 10, purchased: 100 });
    const settled = await reserveCredits({ userId: user.id, credits: 30, reason: 'Settled job' });
    await settleCreditHold({ userId: user.id, holdId: settled.holdId, credits: 25 });
    const released = await reserveCredits({ userId: user.id, credits: 7, reason: 'Failed job' });
    await releaseCreditHold({ userId: user.id, holdId: released.holdId });
    await reserveCredits({ userId: user.id, credits: 5, reason: 'Running job' });

    const { items } = await listCreditTransactions(user.id);
    expect(items.map((e) => [e.type, e.reason])).toEqual([
      ['hold', 'Running job'],
      ['hold_released', 'Hold released'],
      ['hold_settled', 'Settled job'],
      ['grant', 'Pack'],
      ['grant', 'Promo'],
    ]);
    expect(items[0]).toMatchObject({ purchasedDelta: -5, bonusDelta: 0, heldDelta: 5, purchasedAfter: 80, heldAfter: 5 });
    expect(items[1]).toMatchObject({ purchasedDelta: 0, bonusDelta: 0, heldDelta: 0, usedDelta: 0, purchasedAfter: 85 });
    // 25 of 30 charged: the 10 bonus first, then 15 purchased; 5 purchased came back.
    expect(items[2]).toMatchObject({ bonusDelta: -10, purchasedDelta: -15, heldDelta: 0, usedDelta: 25, bonusAfter: 0, purchasedAfter: 85 });
    // The amounts shown add up to the balance.
    const shown = items.reduce((sum, e) => sum + e.bonusDelta + e.purchasedDelta, 0);
    const balance = await getCreditsBalance(user.id);
    expect(shown).toBe(balance.creditsBalance);
    // The raw ledger still has every entry.
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'grant', 'hold', 'hold_settled', 'hold', 'hold_released', 'hold']);
  });
});

describe(`withCredits on ${testDriver}`, () => {
  it('charges the whole reservation when the work succeeds without naming its cost', async () => {
    const user = await userWith({ purchased: 100 });
    const { result, settlement } = await withCredits({ userId: user.id, credits: 10, reason: 'Generation' }, async () => 'done');
    expect(result).toBe('done');
    expect(settlement).toMatchObject({ creditsCharged: 10, creditsBalance: 90 });
  });

  it('charges what the work says it cost', async () => {
    const user = await userWith({ purchased: 100 });
    const { settlement } = await withCredits({ userId: user.id, credits: 50, reason: 'LLM call' }, async (hold) => {
      await hold.settle(17);
      return 'answer';
    });
    expect(settlement).toMatchObject({ creditsCharged: 17, creditsReturned: 33, creditsBalance: 83, creditsHeld: 0 });
  });

  it('costs nothing when the work fails, and rethrows its error', async () => {
    const user = await userWith({ purchased: 100 });
    const failure = new Error('model timed out');
    await expect(
      withCredits({ userId: user.id, credits: 30, reason: 'Generation' }, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 100, held: 0, used: 0 });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_released']);
  });

  it('does not start the work when the reservation is refused', async () => {
    const user = await userWith({ purchased: 5 });
    let ran = false;
    await expect(
      withCredits({ userId: user.id, credits: 30, reason: 'Generation' }, async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(InsufficientCreditsError);
    expect(ran).toBe(false);
  });
});

describe(`hold input on ${testDriver}`, () => {
  const badCredits: unknown[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53, '10', null, [], {}, true];
  it.each(badCredits.map((value) => [String(value), value]))('refuses credits %s for a reserve and writes nothing', async (_label, value) => {
    const user = await userWith({ purchased: 10 });
    await expect(reserveCredits({ userId: user.id, credits: value as number, reason: 'x' })).rejects.toBeInstanceOf(InvalidCreditsInputError);
    expect(await balanceRowOf(user.id)).toMatchObject({ held: 0, purchased: 10 });
  });

  it.each([-1, 1.5, Number.NaN, '3', null, 2 ** 53])('refuses settle credits %s and leaves the hold open', async (value) => {
    const user = await userWith({ purchased: 10 });
    const { holdId } = await reserveCredits({ userId: user.id, credits: 5, reason: 'x' });
    await expect(settleCreditHold({ userId: user.id, holdId, credits: value as number })).rejects.toBeInstanceOf(InvalidCreditsInputError);
    expect(await balanceRowOf(user.id)).toMatchObject({ held: 5 });
    await releaseCreditHold({ userId: user.id, holdId });
  });

  it.each(['not-a-uuid', '', 42, null, { id: 'x' }])('refuses hold id %s', async (holdId) => {
    const user = await userWith({ purchased: 10 });
    await expect(releaseCreditHold({ userId: user.id, holdId: holdId as string })).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });

  it('answers HOLD_NOT_FOUND for a well-formed id nobody holds', async () => {
    const user = await userWith({ purchased: 10 });
    await expect(releaseCreditHold({ userId: user.id, holdId: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(HoldNotFoundError);
    expect(walletIdOf(user.id)).toBe(`user:${user.id}`);
  });
});
