import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { getDailyCreditsUsage } from '@/features/common/payments/service/credits-usage.service';
import { InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { creditTransactions } from '@/shared/db/schema';
import { createUser, ledgerOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

const DAY_MS = 24 * 60 * 60 * 1000;

async function userWithBonus(bonus: number) {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits: bonus, creditsType: 'bonus', reason: 'Promo' });
  return user;
}

/** When the user's latest ledger entry was written: the reference point for "today". */
async function lastEntryTime(userId: string): Promise<Date> {
  return (await ledgerOf(userId)).at(-1)!.createdAt;
}

/**
 * The ledger stamps entries with now(); a deduction on another day is a real deduction whose
 * timestamp is then moved, so balances, lots and entries still agree.
 */
async function recordDeductionAt(userId: string, credits: number, createdAt: Date) {
  const { transactionId } = await deductCreditsBonusFirst({ userId, credits, reason: 'Back-dated' });
  const db = await getDb();
  // The ledger is append-only (a trigger refuses updates); a test may step around it to travel in time.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.update(creditTransactions).set({ createdAt }).where(eq(creditTransactions.id, Number(transactionId)));
  });
}

describe(`getDailyCreditsUsage on ${testDriver}`, () => {
  it('returns 30 consecutive UTC days, oldest first, ending today, with zeros for days without use', async () => {
    const user = await createUser();
    const usage = await getDailyCreditsUsage(user.id, { now: new Date('2026-03-15T09:00:00Z') });
    expect(usage).toHaveLength(30);
    expect(usage[0]).toEqual({ date: '2026-02-14', credits: 0 });
    expect(usage.at(-1)).toEqual({ date: '2026-03-15', credits: 0 });
  });

  it('sums the credits used on the same day', async () => {
    const user = await userWithBonus(100);
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Run generation' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 15, reason: 'Run generation' });

    const usage = await getDailyCreditsUsage(user.id, { now: await lastEntryTime(user.id) });

    expect(usage.at(-1)!.credits).toBe(25);
  });

  it('places a day’s usage on that day as the window moves on', async () => {
    const user = await userWithBonus(100);
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Run generation' });
    const spentAt = await lastEntryTime(user.id);

    const usage = await getDailyCreditsUsage(user.id, { now: new Date(spentAt.getTime() + 3 * DAY_MS) });

    expect(usage.map((day) => day.credits).slice(-4)).toEqual([10, 0, 0, 0]);
  });

  it('leaves out usage older than the window', async () => {
    const user = await userWithBonus(100);
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Run generation' });
    const spentAt = await lastEntryTime(user.id);

    const usage = await getDailyCreditsUsage(user.id, { now: new Date(spentAt.getTime() + 30 * DAY_MS) });

    expect(usage.every((day) => day.credits === 0)).toBe(true);
  });

  it('splits usage at midnight UTC', async () => {
    const user = await userWithBonus(12);
    await recordDeductionAt(user.id, 7, new Date('2026-01-10T23:59:59Z'));
    await recordDeductionAt(user.id, 5, new Date('2026-01-11T00:00:00Z'));

    const usage = await getDailyCreditsUsage(user.id, { days: 2, now: new Date('2026-01-11T12:00:00Z') });

    expect(usage).toEqual([
      { date: '2026-01-10', credits: 7 },
      { date: '2026-01-11', credits: 5 },
    ]);
  });

  it('counts deductions only, not the credits a user received', async () => {
    const user = await userWithBonus(100);
    await addCreditsDirectly({ userId: user.id, credits: 40, creditsType: 'purchased', reason: 'Invoice 7' });
    expect((await getDailyCreditsUsage(user.id, { now: await lastEntryTime(user.id) })).at(-1)!.credits).toBe(0);
  });

  it('counts nobody else’s usage', async () => {
    const [spender, other] = [await userWithBonus(50), await userWithBonus(50)];
    await deductCreditsBonusFirst({ userId: spender.id, credits: 20, reason: 'Run generation' });
    expect((await getDailyCreditsUsage(other.id, { now: await lastEntryTime(spender.id) })).at(-1)!.credits).toBe(0);
  });

  it.each([0, 1.5, 367])('refuses a window of %s days', async (days) => {
    await expect(getDailyCreditsUsage('anyone', { days })).rejects.toThrow(InvalidCreditsInputError);
  });
});
