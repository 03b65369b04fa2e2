import { spawn, type ChildProcess } from 'node:child_process';

import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { setAutoTopUp, startCardSetup } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { deductCreditsBonusFirst, getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { migrateDatabase, openPostgres, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { creditPurchases, jobs, users } from '@/shared/db/schema';

import { eventually } from '../helpers/eventually';
import { deliver, fixtureEvent, paymentIntentSucceeded } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/*
 * Auto top-up charges a saved card from a job, after committing the pending purchase it charges for.
 * Killed (kill -9) while Stripe has the charge request in hand, the next runner must send the same
 * request with the same idempotency key, so the card is charged once and the credits arrive once.
 */

vi.spyOn(console, 'info').mockImplementation(() => {});
vi.spyOn(console, 'warn').mockImplementation(() => {});

let pg: ThrowawayPostgres;
let handle: DatabaseHandle;
let stripe: Awaited<ReturnType<typeof startStripeServer>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  handle = await openPostgres(pg.url, { max: 4 });
  await migrateDatabase(handle);
  setDatabase(handle);
  stripe = await startStripeServer();
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stripe?.close();
  await handle?.close().catch(() => {});
  await pg?.destroy();
});

/** `npm run credits:jobs` in a process of its own, on the throwaway cluster and the local Stripe server. */
function creditsJobs() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/credits-jobs.ts'], {
    env: { ...process.env, DATABASE_URL: pg.url, STRIPE_SECRET_KEY: 'sk_test_local', STRIPE_WEBHOOK_SECRET: 'whsec_test_local', STRIPE_API_BASE: stripe.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** A user with 150 credits, a saved Visa and auto top-up at 100 (the Starter Pack, $10.00), who spends 60: one charge job queued. */
async function crossingWithSavedCard(email: string) {
  const [user] = await handle.db.insert(users).values({ email }).returning();
  await addCreditsDirectly({ userId: user!.id, credits: 150, creditsType: 'purchased', reason: 'Pack' });
  await startCardSetup({ userId: user!.id });
  const customer = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!.form.customer!;
  const saved = await deliver({
    ...fixtureEvent('checkout.session.completed.json'),
    type: 'setup_intent.succeeded',
    data: {
      object: {
        id: `seti_${email.split('@')[0]!.replace(/[^A-Za-z0-9]/g, '')}`,
        object: 'setup_intent',
        status: 'succeeded',
        customer,
        payment_method: 'pm_card_visa',
        metadata: { walletId: `user:${user!.id}` },
      },
    },
  });
  expect(await saved.json()).toMatchObject({ outcome: 'card_saved' });
  await setAutoTopUp({ userId: user!.id, thresholdCredits: 100, packageId: 'starter', maxPerMonth: 3, expectedAmountMinor: 1000 });

  // Spending 60 crosses the threshold: the crossing queues one charge job.
  await deductCreditsBonusFirst({ userId: user!.id, credits: 60, reason: 'Work' });

  return { user: user!, customer };
}

describe('auto top-up through kill -9 in the middle of the charge', () => {
  it('the next runner sends the same charge with the same idempotency key: charged once, credited once, no drift', async () => {
    const { user, customer } = await crossingWithSavedCard('auto-kill@example.com');

    // Stripe takes the charge request and does not answer; the runner is killed while it waits.
    stripe.behaviour.delayMs = 10 * 60 * 1000;
    const first = creditsJobs();
    const charging = () => stripe.requests.some((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(await eventually(charging, (yes) => yes, 60_000, 50)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    stripe.behaviour.delayMs = 0;

    const [pending] = await handle.db
      .select()
      .from(creditPurchases)
      .where(and(eq(creditPurchases.walletId, `user:${user.id}`), eq(creditPurchases.kind, 'auto_top_up')));
    expect(pending).toMatchObject({ status: 'pending', stripePaymentIntentId: null });
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);

    // Its lease runs out (two minutes; here, at once) and the next run takes the job over.
    await handle.db
      .update(jobs)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(jobs.kind, 'auto_top_up'));
    const second = creditsJobs();
    expect(await second.exited).toBe(0);

    const charges = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(charges).toHaveLength(2);
    expect(charges.map((r) => r.headers['idempotency-key'])).toEqual([`credits-auto-top-up:${pending!.id}`, `credits-auto-top-up:${pending!.id}`]);
    expect(charges[1]!.form).toMatchObject({ amount: '1000', currency: 'usd', customer, payment_method: 'pm_card_visa', off_session: 'true' });
    const purchases = await handle.db
      .select()
      .from(creditPurchases)
      .where(eq(creditPurchases.walletId, `user:${user.id}`));
    expect(purchases).toHaveLength(1);
    expect(purchases[0]).toMatchObject({ id: pending!.id, status: 'pending', stripePaymentIntentId: 'pi_test_auto1' });

    // Stripe reports the one payment (twice, as it may): credited once.
    const succeeded = paymentIntentSucceeded('pi_test_auto1', pending!.id);
    const outcomes = await Promise.all(
      [deliver(succeeded), deliver(succeeded)].map(async (answer) => ((await (await answer).json()) as { outcome: string }).outcome),
    );
    expect(outcomes.sort()).toEqual(['already_fulfilled', 'fulfilled']);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(1090);
    expect(await findLedgerDrift(handle.db)).toEqual([]);
  }, 120_000);

  it('killed after Stripe made the charge but before its answer arrived: the next runner gets that same charge back, not a second one', async () => {
    const { user } = await crossingWithSavedCard('auto-kill-answer@example.com');
    const chargesBefore = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').length;

    // Stripe acts on the request (the payment intent exists) and its answer is lost: the runner is killed.
    stripe.behaviour.holdAnswerMs = 10 * 60 * 1000;
    const first = creditsJobs();
    const charged = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').length > chargesBefore;
    expect(await eventually(charged, (yes) => yes, 60_000, 50)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    stripe.behaviour.holdAnswerMs = 0;

    await handle.db
      .update(jobs)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(jobs.kind, 'auto_top_up'));
    expect(await creditsJobs().exited).toBe(0);

    const charges = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').slice(chargesBefore);
    const [purchase] = await handle.db
      .select()
      .from(creditPurchases)
      .where(and(eq(creditPurchases.walletId, `user:${user.id}`), eq(creditPurchases.kind, 'auto_top_up')));
    expect(charges.map((r) => r.headers['idempotency-key'])).toEqual([`credits-auto-top-up:${purchase!.id}`, `credits-auto-top-up:${purchase!.id}`]);
    // Stripe's first answer, replayed for the key: the payment intent made before the kill (a second would be pi_test_auto3).
    expect(purchase).toMatchObject({ status: 'pending', stripePaymentIntentId: 'pi_test_auto2' });

    const succeeded = paymentIntentSucceeded('pi_test_auto2', purchase!.id);
    expect(await (await deliver(succeeded)).json()).toMatchObject({ outcome: 'fulfilled' });
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(1090);
    expect(await findLedgerDrift(handle.db)).toEqual([]);
  }, 120_000);
});
