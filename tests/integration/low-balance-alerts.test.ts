import { and, eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { appConfig } from '@/config/app';
import { getLowBalanceAlert, setLowBalanceAlert } from '@/features/common/payments/service/alerts/low-balance';
import { deductCreditsBonusFirst, releaseCreditHold, reserveCredits } from '@/features/common/payments/service/credits-balance.service';
import { runJobs } from '@/features/common/payments/service/jobs/jobs';
import { createOrganization } from '@/features/common/payments/service/organizations/organizations.service';
import * as callbacks from '@/features/common/payments/service/payment-callback.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { grantSignUpBonus } from '@/features/common/payments/service/sign-up-bonus';
import { getDb } from '@/shared/db/client';
import { listOutboxEmails } from '@/shared/email/outbox';
import { jobs } from '@/shared/db/schema';
import { createUser, expectLedgerMatchesBalances } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Concurrency needs real Postgres (TEST_DATABASE_URL); on PGlite the same test checks the bookkeeping.
setupTestDatabase({ poolSize: 32 });
vi.spyOn(console, 'info').mockImplementation(() => {});

const credits = appConfig.billing.credits;
const defaultAlert = credits.lowBalanceAlertCredits;
afterEach(() => {
  credits.lowBalanceAlertCredits = defaultAlert;
  vi.restoreAllMocks();
});

async function alertJobs(walletId: string) {
  const db = await getDb();
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.walletId, walletId), inArray(jobs.kind, ['low_balance_alert', 'low_balance_callback'])))
    .orderBy(jobs.createdAt);
}

async function userWith(available: number, threshold: number) {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits: available, creditsType: 'purchased', reason: 'Pack' });
  await setLowBalanceAlert({ userId: user.id, thresholdCredits: threshold });
  return user;
}

const spend = (userId: string, amount: number) => deductCreditsBonusFirst({ userId, credits: amount, reason: 'Work' });

describe(`low-balance alerts (${testDriver})`, () => {
  it('queue one email and one callback in the deduction that takes the balance below the threshold', async () => {
    const user = await userWith(150, 100);
    await spend(user.id, 40);
    expect(await alertJobs(`user:${user.id}`)).toEqual([]);

    await spend(user.id, 20);

    const queued = await alertJobs(`user:${user.id}`);
    expect(queued.map((j) => j.kind).sort()).toEqual(['low_balance_alert', 'low_balance_callback']);
    expect(queued[0]!.payload).toMatchObject({ walletId: `user:${user.id}`, threshold: 100, availableBefore: 110, availableAfter: 90 });
  });

  it('send the email and call onCreditsLow once, with the balance and the threshold', async () => {
    const onCreditsLow = vi.spyOn(callbacks, 'onCreditsLow');
    const user = await userWith(150, 100);
    await spend(user.id, 60);
    await runJobs();
    await runJobs();

    const emails = (await listOutboxEmails({ to: user.email! })).filter((e) => e.subject === 'Only 90 credits left');
    expect(emails).toHaveLength(1);
    expect(emails[0]!.text).toContain('fallen below 100 credits');
    const calls = onCreditsLow.mock.calls.filter(([payload]) => payload.userId === user.id);
    expect(calls).toEqual([[expect.objectContaining({ userId: user.id, organizationId: null, threshold: 100, creditsAvailable: 90 })]]);
  });

  it('stay quiet for further spending below the threshold, and re-arm once the balance is back at it', async () => {
    const user = await userWith(150, 100);
    await spend(user.id, 60); // 90: crossed
    await spend(user.id, 10); // 80: still below
    expect((await alertJobs(`user:${user.id}`)).filter((j) => j.kind === 'low_balance_alert')).toHaveLength(1);

    await addCreditsDirectly({ userId: user.id, credits: 20, creditsType: 'purchased', reason: 'Top-up' }); // 100: re-armed
    await spend(user.id, 1); // 99: crossed again
    expect((await alertJobs(`user:${user.id}`)).filter((j) => j.kind === 'low_balance_alert')).toHaveLength(2);
  });

  it('count what is available: a hold that takes it below alerts, and its release re-arms', async () => {
    const user = await userWith(150, 100);
    const hold = await reserveCredits({ userId: user.id, credits: 60, reason: 'Job' });
    expect((await alertJobs(`user:${user.id}`)).filter((j) => j.kind === 'low_balance_alert')).toHaveLength(1);
    await releaseCreditHold({ userId: user.id, holdId: hold.holdId });
    await reserveCredits({ userId: user.id, credits: 60, reason: 'Job again' });
    expect((await alertJobs(`user:${user.id}`)).filter((j) => j.kind === 'low_balance_alert')).toHaveLength(2);
  });

  it('skip the email when a top-up brought the balance back before the job ran', async () => {
    const user = await userWith(150, 100);
    await spend(user.id, 60);
    await addCreditsDirectly({ userId: user.id, credits: 500, creditsType: 'purchased', reason: 'Top-up' });
    await runJobs();
    expect((await listOutboxEmails({ to: user.email! })).filter((e) => e.subject.startsWith('Only'))).toEqual([]);
  });

  it('are off at 0 and while never set', async () => {
    const never = await createUser();
    await addCreditsDirectly({ userId: never.id, credits: 10, creditsType: 'bonus', reason: 'Promo' });
    await spend(never.id, 10);
    const off = await userWith(10, 0);
    await spend(off.id, 10);
    expect(await alertJobs(`user:${never.id}`)).toEqual([]);
    expect(await alertJobs(`user:${off.id}`)).toEqual([]);
  });

  it('start from lowBalanceAlertCredits for a new user and a new organisation', async () => {
    credits.lowBalanceAlertCredits = 50;
    const user = await createUser();
    expect(await getLowBalanceAlert({ userId: user.id })).toEqual({ thresholdCredits: null, suggestedCredits: 50 });
    await grantSignUpBonus(user.id);
    expect(await getLowBalanceAlert({ userId: user.id })).toMatchObject({ thresholdCredits: 50 });
    await setLowBalanceAlert({ userId: user.id, thresholdCredits: 0 });
    await grantSignUpBonus(user.id);
    expect(await getLowBalanceAlert({ userId: user.id })).toMatchObject({ thresholdCredits: 0 });

    const organization = await createOrganization({ userId: user.id, name: 'Acme', billingEmail: 'billing@acme.example' });
    expect(await getLowBalanceAlert({ userId: user.id, organizationId: organization.id })).toMatchObject({ thresholdCredits: 50 });
    await addCreditsDirectly({ userId: user.id, organizationId: organization.id, credits: 60, creditsType: 'purchased', reason: 'Pack' });
    await deductCreditsBonusFirst({ userId: user.id, organizationId: organization.id, credits: 20, reason: 'Work' });
    await runJobs();
    expect((await listOutboxEmails({ to: 'billing@acme.example' })).map((e) => e.subject)).toContain('Only 40 credits left');
  });

  it('refuse a bad threshold with a typed error and change nothing', async () => {
    const user = await userWith(10, 5);
    for (const thresholdCredits of [-1, 1.5, Number.NaN, '10' as never]) {
      await expect(setLowBalanceAlert({ userId: user.id, thresholdCredits })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await expect(setLowBalanceAlert({ userId: 'no-such-user', thresholdCredits: 5 })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await getLowBalanceAlert({ userId: user.id })).toMatchObject({ thresholdCredits: 5 });
  });

  it('queue exactly one alert when 50 deductions cross the threshold at once', async () => {
    const user = await userWith(1000, 600);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: `Call ${i}` })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(50);
    const queued = await alertJobs(`user:${user.id}`);
    expect(queued.filter((j) => j.kind === 'low_balance_alert')).toHaveLength(1);
    expect(queued.filter((j) => j.kind === 'low_balance_callback')).toHaveLength(1);
    expect(queued[0]!.payload).toMatchObject({ threshold: 600 });
    await expectLedgerMatchesBalances();
  });
});
