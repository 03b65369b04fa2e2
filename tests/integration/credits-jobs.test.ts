import { afterEach, describe, expect, it } from 'vitest';

import { handleCronRequest } from '@/features/common/payments/api/cron-handler';
import { deductCreditsBonusFirst, getCreditsBalance, reserveCredits } from '@/features/common/payments/service/credits-balance.service';
import { describeMaintenance, runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';
import { queueExpiryReminders } from '@/features/common/payments/service/ledger/lots';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { listOutboxEmails } from '@/shared/email/outbox';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

const DAY_MS = 24 * 60 * 60 * 1000;
const SECRET = 'cron-secret-cron-secret-0123456789';

/** Runs the work until nothing is due, so earlier tests' leftovers do not count in this one's figures. */
async function drain() {
  while ((await runCreditsMaintenance()).jobsDone > 0);
}

describe(`expiry reminders on ${testDriver}`, () => {
  it('emails once per lot that expires within the reminder window, with what is left in it', async () => {
    await drain();
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 120, creditsType: 'bonus', reason: 'Promo', expiresAt: new Date(Date.now() + 3 * DAY_MS) });
    await addCreditsDirectly({ userId: user.id, credits: 500, creditsType: 'bonus', reason: 'Far away', expiresAt: new Date(Date.now() + 60 * DAY_MS) });
    await deductCreditsBonusFirst({ userId: user.id, credits: 20, reason: 'Use' });

    const first = await runCreditsMaintenance();
    expect(first).toMatchObject({ remindersQueued: 1, jobsFailed: 0 });
    expect(first.jobsDone).toBeGreaterThanOrEqual(2); // the email and the callback
    const emails = await listOutboxEmails({ to: user.email! });
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toMatch(/^100 credits expire on \d{1,2} \w{3} \d{4}$/);
    expect(emails[0]!.text).toContain('/dashboard/billings/credits');

    // Later runs queue nothing more for the same lot.
    expect(await runCreditsMaintenance()).toMatchObject({ remindersQueued: 0, jobsDone: 0 });
    expect(await listOutboxEmails({ to: user.email! })).toHaveLength(1);
  });

  it('skips lots with fewer credits than expiryReminderMinCredits left, and lots spent before the email went out', async () => {
    await drain();
    const spent = await createUser();
    await addCreditsDirectly({ userId: spent.id, credits: 30, creditsType: 'bonus', reason: 'Promo', expiresAt: new Date(Date.now() + 2 * DAY_MS) });
    const db = await getDb();
    expect(await queueExpiryReminders(db)).toBe(1);
    // Spent between queueing and sending: nothing is said about credits that are no longer there.
    await deductCreditsBonusFirst({ userId: spent.id, credits: 30, reason: 'All of it' });
    await drain();
    expect(await listOutboxEmails({ to: spent.email! })).toHaveLength(0);

    const emptyLot = await createUser();
    await addCreditsDirectly({ userId: emptyLot.id, credits: 5, creditsType: 'bonus', reason: 'Promo', expiresAt: new Date(Date.now() + 2 * DAY_MS) });
    await deductCreditsBonusFirst({ userId: emptyLot.id, credits: 5, reason: 'All of it' });
    expect(await queueExpiryReminders(db)).toBe(0); // the default minimum is 1 credit
  });
});

describe(`runCreditsMaintenance on ${testDriver}`, () => {
  it('releases expired holds, so the credits are back in the balance row and the ledger', async () => {
    await drain();
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 50, creditsType: 'purchased', reason: 'Pack' });
    await reserveCredits({ userId: user.id, credits: 40, reason: 'Job', expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const result = await runCreditsMaintenance();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(describeMaintenance(result)).toMatch(/holds and lots expired/);
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_expired']);
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 50, creditsHeld: 0 });
  });

  it('says so in one line when nothing was due', async () => {
    await drain();
    expect(describeMaintenance(await runCreditsMaintenance())).toBe('Credits jobs: nothing was due.');
  });
});

describe(`/api/cron/credits on ${testDriver}`, () => {
  const call = (headers: Record<string, string>, secret: string | null = SECRET, method = 'GET') =>
    handleCronRequest(new Request('http://localhost:3000/api/cron/credits', { method, headers }), secret ?? undefined);

  it('does not exist while CRON_SECRET is unset, whatever is sent', async () => {
    expect((await call({ authorization: 'Bearer ' }, null)).status).toBe(404);
    expect((await call({ authorization: `Bearer ${SECRET}` }, null)).status).toBe(404);
  });

  it.each([
    ['no header', {}],
    ['another secret', { authorization: 'Bearer not-the-secret-at-all-0000' }],
    ['the secret without Bearer', { authorization: SECRET }],
    ['the secret with a suffix', { authorization: `Bearer ${SECRET}x` }],
    ['a prefix of the secret', { authorization: `Bearer ${SECRET.slice(0, -1)}` }],
    ['Basic credentials', { authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}` }],
    ['a huge header', { authorization: `Bearer ${SECRET}${'x'.repeat(100_000)}` }],
    ['a lone surrogate', { authorization: 'Bearer \uD800' }],
    ['NaN', { authorization: 'Bearer NaN' }],
    ['the secret in another header', { 'x-cron-secret': SECRET }],
  ])('refuses %s with 401 and does no work', async (_name, headers) => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 10, creditsType: 'purchased', reason: 'Pack' });
    await reserveCredits({ userId: user.id, credits: 10, reason: 'Job', expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1050));
    let response: Response;
    try {
      response = await call(headers as Record<string, string>);
    } catch {
      return; // a header the platform refuses to carry at all (a lone surrogate) never reaches the route
    }
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold']);
  });

  it('runs the periodic work for the right secret, by GET or POST, and says what it did', async () => {
    await drain();
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 10, creditsType: 'purchased', reason: 'Pack' });
    await reserveCredits({ userId: user.id, credits: 10, reason: 'Job', expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const response = await call({ authorization: `Bearer ${SECRET}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ expired: expect.any(Number), remindersQueued: 0, jobsFailed: 0 });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_expired']);

    const again = await call({ authorization: `Bearer ${SECRET}` }, SECRET, 'POST');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ expired: 0, jobsDone: 0 });
  });
});
