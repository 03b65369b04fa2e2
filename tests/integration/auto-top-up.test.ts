import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import {
  disableAutoTopUp,
  getAutoTopUp,
  openPaymentMethods,
  setAutoTopUp,
  startCardSetup,
} from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { removeSimulatedCard, saveSimulatedCard } from '@/features/common/payments/service/auto-top-up/simulator-card';
import {
  AutoTopUpDisabledError,
  AutoTopUpPriceChangedError,
  InvalidCreditsInputError,
  NoSavedCardError,
  OrganizationRoleRequiredError,
  UnknownPackageError,
} from '@/features/common/payments/service/credits-errors';
import { deductCreditsBonusFirst, getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { runJobs } from '@/features/common/payments/service/jobs/jobs';
import { addOrganizationMember, createOrganization } from '@/features/common/payments/service/organizations/organizations.service';
import * as callbacks from '@/features/common/payments/service/payment-callback.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { createPaymentsGateway, setPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { getDb } from '@/shared/db/client';
import { listOutboxEmails } from '@/shared/email/outbox';
import { autoTopUps, creditBalances, creditPurchases, jobs } from '@/shared/db/schema';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { deliver, fixtureEvent, paymentIntentSucceeded } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Concurrency needs real Postgres (TEST_DATABASE_URL); on PGlite the same tests check the bookkeeping.
setupTestDatabase({ poolSize: 32 });
vi.spyOn(console, 'info').mockImplementation(() => {});
vi.spyOn(console, 'warn').mockImplementation(() => {});

const simulator = () => setPaymentsGateway(createPaymentsGateway(env));
const config = appConfig.billing.credits;
const STARTER = { packageId: 'starter', credits: 1000, amountMinor: 1000 };

afterEach(async () => {
  config.autoTopUp.enabled = true;
  await expectLedgerMatchesBalances();
});

/** A user with `available` purchased credits and a saved simulator card (`succeeds` unless said). */
async function userWithCard(available: number, card: 'succeeds' | 'declined' | 'authentication' = 'succeeds') {
  const user = await createUser();
  if (available > 0) await addCreditsDirectly({ userId: user.id, credits: available, creditsType: 'purchased', reason: 'Pack' });
  await saveSimulatedCard({ userId: user.id, card });
  return user;
}

const turnOn = (userId: string, options: { threshold?: number; maxPerMonth?: number; organizationId?: string } = {}) =>
  setAutoTopUp({
    userId,
    ...(options.organizationId && { organizationId: options.organizationId }),
    thresholdCredits: options.threshold ?? 100,
    packageId: STARTER.packageId,
    maxPerMonth: options.maxPerMonth ?? 3,
    expectedAmountMinor: STARTER.amountMinor,
  });

const spend = (userId: string, credits: number) => deductCreditsBonusFirst({ userId, credits, reason: 'Work' });

async function autoJobs(walletId: string) {
  const db = await getDb();
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.walletId, walletId), eq(jobs.kind, 'auto_top_up')));
}

async function autoPurchases(walletId: string) {
  const db = await getDb();
  return db
    .select()
    .from(creditPurchases)
    .where(and(eq(creditPurchases.walletId, walletId), eq(creditPurchases.kind, 'auto_top_up')))
    .orderBy(creditPurchases.createdAt);
}

async function available(userId: string) {
  return (await getCreditsBalance(userId)).creditsBalance;
}

/** Runs due jobs until none is left (a charge's receipt is queued by the charge's own fulfilment). */
async function drainJobs() {
  for (let round = 0; round < 5; round++) {
    const { done, failed } = await runJobs();
    if (done + failed === 0) return;
  }
}

describe(`auto top-up in the simulator (${testDriver})`, () => {
  beforeAll(simulator);

  it('buys the pack once when a deduction crosses the threshold: credits, a ledger entry, a receipt that says so', async () => {
    const onCreditsTopUp = vi.spyOn(callbacks, 'onCreditsTopUp');
    const user = await userWithCard(150);
    const settings = await turnOn(user.id);
    expect(settings).toMatchObject({
      enabled: true,
      paused: null,
      thresholdCredits: 100,
      amountMinor: 1000,
      currency: 'usd',
      amountText: '$10.00',
      maxPerMonth: 3,
    });
    expect(settings.card).toEqual({ brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 });

    await spend(user.id, 40); // 110: not yet
    expect(await autoJobs(`user:${user.id}`)).toEqual([]);
    await spend(user.id, 20); // 90: crossed
    expect(await autoJobs(`user:${user.id}`)).toHaveLength(1);

    await drainJobs();
    expect(await available(user.id)).toBe(90 + STARTER.credits);
    const [purchase] = await autoPurchases(`user:${user.id}`);
    expect(purchase).toMatchObject({ status: 'paid', credits: 1000, amountMinor: 1000, amountPaidMinor: 1000, userId: user.id });
    expect(purchase!.stripePaymentIntentId).toMatch(/^pi_sim_/);
    const entry = (await ledgerOf(user.id)).at(-1)!;
    expect(entry).toMatchObject({ type: 'purchase', purchasedDelta: 1000, idempotencyKey: `system:payment_intent:${purchase!.stripePaymentIntentId}` });
    expect(entry.metadata).toMatchObject({ automatic: true, purchaseId: purchase!.id });

    const receipts = (await listOutboxEmails({ to: user.email! })).filter((email) => email.subject.startsWith('Receipt:'));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.text).toContain('auto top-up');
    expect(onCreditsTopUp.mock.calls.filter(([payload]) => payload.userId === user.id)).toEqual([
      [expect.objectContaining({ automatic: true, checkoutSessionId: null, paymentIntentId: purchase!.stripePaymentIntentId, creditsAdded: 1000 })],
    ]);
    expect((await getAutoTopUp({ userId: user.id })).usedThisMonth).toBe(1);

    // Running the jobs again, and spending that stays above the threshold, buys nothing more.
    await drainJobs();
    await spend(user.id, 500);
    await drainJobs();
    expect(await autoPurchases(`user:${user.id}`)).toHaveLength(1);
  });

  it('queues exactly one top-up when 50 deductions cross at once, and charges once however many runners race', async () => {
    const user = await userWithCard(150);
    await turnOn(user.id);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => spend(user.id, 2)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(50); // 150 − 100 = 50
    expect(await autoJobs(`user:${user.id}`)).toHaveLength(1);

    await Promise.all(Array.from({ length: 6 }, () => runJobs()));
    await drainJobs();
    expect(await autoPurchases(`user:${user.id}`)).toHaveLength(1);
    expect(await available(user.id)).toBe(50 + STARTER.credits);
  });

  it('charges at most M times a calendar month, also when crossings race, and says so once', async () => {
    const user = await userWithCard(150);
    await turnOn(user.id, { maxPerMonth: 2 });
    // Two top-ups: each crossing buys 1,000 credits, and spending 1,000 more crosses again.
    await spend(user.id, 60);
    await drainJobs();
    await spend(user.id, 1000);
    await drainJobs();
    expect((await autoPurchases(`user:${user.id}`)).map((purchase) => purchase.status)).toEqual(['paid', 'paid']);

    // The third crossing of the month, reported by many jobs at once (a re-armed wallet crossed over and over).
    await spend(user.id, 1000);
    const db = await getDb();
    await db
      .insert(jobs)
      .values(
        Array.from({ length: 20 }, (_, index) => ({
          kind: 'auto_top_up' as const,
          reference: `user:${user.id}:race:${index}`,
          walletId: `user:${user.id}`,
          payload: { walletId: `user:${user.id}` },
        })),
      );
    await Promise.all(Array.from({ length: 8 }, () => runJobs()));
    await drainJobs();
    expect(await autoPurchases(`user:${user.id}`)).toHaveLength(2);
    const notices = (await listOutboxEmails({ to: user.email! })).filter((email) => email.subject === 'Auto top-up reached its monthly limit');
    expect(notices).toHaveLength(1);
    expect(await getAutoTopUp({ userId: user.id })).toMatchObject({ usedThisMonth: 2, maxPerMonth: 2, enabled: true, paused: null });
  });

  it('buys at once when turned on below the threshold, and only one charge is in flight at a time', async () => {
    const user = await userWithCard(50);
    await turnOn(user.id); // 50 < 100
    expect(await autoJobs(`user:${user.id}`)).toHaveLength(1);
    await drainJobs();
    expect(await available(user.id)).toBe(1050);
    // Saving the same settings again while above the threshold buys nothing.
    await turnOn(user.id);
    await drainJobs();
    expect(await autoPurchases(`user:${user.id}`)).toHaveLength(1);
  });

  it('a declined card: the purchase fails, an email says so, and after two failures in a row auto top-up pauses', async () => {
    const user = await userWithCard(150, 'declined');
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    const [first] = await autoPurchases(`user:${user.id}`);
    expect(first).toMatchObject({ status: 'failed', failureCode: 'card_declined', failureMessage: 'Your card was declined.' });
    expect(await available(user.id)).toBe(90);
    let settings = await getAutoTopUp({ userId: user.id });
    expect(settings).toMatchObject({ enabled: true, paused: null, usedThisMonth: 0 });
    expect(settings.lastFailure).toMatchObject({ code: 'card_declined' });
    let declined = (await listOutboxEmails({ to: user.email! })).filter((email) => email.subject === 'Your automatic top-up was declined');
    expect(declined).toHaveLength(1);
    expect(declined[0]!.text).toContain('We will try again');

    // The next crossing (after a small top-up re-armed it) fails too: paused.
    await addCreditsDirectly({ userId: user.id, credits: 20, creditsType: 'purchased', reason: 'Top-up' }); // 110
    await spend(user.id, 20); // 90: crossed again
    await drainJobs();
    settings = await getAutoTopUp({ userId: user.id });
    expect(settings.paused).toMatchObject({ reason: 'payment_failed' });
    declined = (await listOutboxEmails({ to: user.email! })).filter((email) => email.subject === 'Your automatic top-up was declined');
    expect(declined).toHaveLength(2);
    expect(declined.some((email) => email.text.includes('Auto top-up is paused'))).toBe(true);
    expect(
      (
        await (
          await getDb()
        )
          .select()
          .from(creditBalances)
          .where(eq(creditBalances.walletId, `user:${user.id}`))
      )[0]!.autoTopUpThreshold,
    ).toBeNull();

    // Paused: further crossings queue nothing.
    await addCreditsDirectly({ userId: user.id, credits: 20, creditsType: 'purchased', reason: 'Top-up' });
    await spend(user.id, 20);
    expect(await autoJobs(`user:${user.id}`)).toHaveLength(2);

    // A new card resumes it; the balance is still below the threshold, and the next crossing charges the new card.
    await saveSimulatedCard({ userId: user.id, card: 'succeeds' });
    settings = await getAutoTopUp({ userId: user.id });
    expect(settings).toMatchObject({ enabled: true, paused: null, card: { last4: '4242' } });
    await addCreditsDirectly({ userId: user.id, credits: 20, creditsType: 'purchased', reason: 'Top-up' });
    await spend(user.id, 20);
    await drainJobs();
    expect((await autoPurchases(`user:${user.id}`)).map((purchase) => purchase.status)).toEqual(['failed', 'failed', 'paid']);
  });

  it('a card whose bank asks to authenticate: the charge fails as needing the cardholder, with its own email', async () => {
    const user = await userWithCard(150, 'authentication');
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    expect((await autoPurchases(`user:${user.id}`))[0]).toMatchObject({ status: 'failed', failureCode: 'authentication_required' });
    const emails = (await listOutboxEmails({ to: user.email! })).filter((email) => email.subject === 'Your bank wants to confirm your automatic top-up');
    expect(emails).toHaveLength(1);
    expect(await available(user.id)).toBe(90);
  });

  it('pauses rather than charge another amount when the price changed after it was turned on', async () => {
    const user = await userWithCard(150);
    await turnOn(user.id);
    const starter = config.packages.find((pkg) => pkg.id === 'starter')!;
    const before = starter.pricesMinor.usd!.amountMinor;
    starter.pricesMinor.usd!.amountMinor = 1200;
    try {
      await spend(user.id, 60);
      await drainJobs();
      expect(await autoPurchases(`user:${user.id}`)).toEqual([]);
      expect((await getAutoTopUp({ userId: user.id })).paused).toMatchObject({ reason: 'price_changed' });
      expect((await listOutboxEmails({ to: user.email! })).map((email) => email.subject)).toContain('Auto top-up is paused: the price changed');
      // Turning it on again asks for the new amount.
      await expect(turnOn(user.id)).rejects.toBeInstanceOf(AutoTopUpPriceChangedError);
    } finally {
      starter.pricesMinor.usd!.amountMinor = before;
    }
  });

  it('a removed card pauses auto top-up and emails; turning off keeps the card', async () => {
    const user = await userWithCard(500);
    await turnOn(user.id);
    let settings = await disableAutoTopUp({ userId: user.id });
    expect(settings).toMatchObject({ enabled: false, paused: null, card: { last4: '4242' }, thresholdCredits: 100 });
    await turnOn(user.id);
    settings = await removeSimulatedCard({ userId: user.id });
    expect(settings).toMatchObject({ enabled: false, card: null, paused: { reason: 'card_removed' } });
    await drainJobs();
    expect((await listOutboxEmails({ to: user.email! })).map((email) => email.subject)).toContain('Auto top-up is paused: no card saved');
    await spend(user.id, 450);
    expect(await autoJobs(`user:${user.id}`)).toEqual([]);
    await expect(turnOn(user.id)).rejects.toBeInstanceOf(NoSavedCardError);
  });

  it('a refund of an automatic charge takes its credits back, as for a Checkout purchase', async () => {
    const user = await userWithCard(150);
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    const [purchase] = await autoPurchases(`user:${user.id}`);
    const response = await deliver(
      fixtureEvent('charge.refunded.json', { payment_intent: purchase!.stripePaymentIntentId, amount: 1000, amount_refunded: 1000 }),
      { secret: env.STRIPE_WEBHOOK_SECRET },
    );
    expect(response.status).toBe(200);
    expect(await available(user.id)).toBe(90);
    const [refunded] = await autoPurchases(`user:${user.id}`);
    expect(refunded).toMatchObject({ creditsReversed: 1000, creditsShortfall: 0 });
  });

  it('a dispute of an automatic charge is recorded and reported, and a lost one takes the credits back', async () => {
    const onCreditsDisputed = vi.spyOn(callbacks, 'onCreditsDisputed');
    const user = await userWithCard(150);
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    const [purchase] = await autoPurchases(`user:${user.id}`);
    const dispute = (status: string) =>
      deliver(
        fixtureEvent('charge.dispute.created.json', {
          id: `dp_${purchase!.id.slice(0, 8)}`,
          payment_intent: purchase!.stripePaymentIntentId,
          amount: 1000,
          status,
        }),
        { secret: env.STRIPE_WEBHOOK_SECRET },
      );
    expect((await dispute('needs_response')).status).toBe(200);
    await drainJobs();
    expect(onCreditsDisputed.mock.calls.filter(([payload]) => payload.purchaseId === purchase!.id)).toHaveLength(1);
    expect(await available(user.id)).toBe(1090);
    expect((await dispute('lost')).status).toBe(200);
    expect(await available(user.id)).toBe(90);
  });

  it('refuses bad settings with a typed error and writes nothing', async () => {
    const user = await userWithCard(150);
    const db = await getDb();
    const rowsBefore = await db
      .select()
      .from(autoTopUps)
      .where(eq(autoTopUps.walletId, `user:${user.id}`));
    await expect(
      setAutoTopUp({ userId: user.id, thresholdCredits: 100, packageId: 'starter', maxPerMonth: 3, expectedAmountMinor: 999 }),
    ).rejects.toBeInstanceOf(AutoTopUpPriceChangedError);
    await expect(setAutoTopUp({ userId: user.id, thresholdCredits: 100, packageId: 'nope', maxPerMonth: 3, expectedAmountMinor: 1000 })).rejects.toBeInstanceOf(
      UnknownPackageError,
    );
    await expect(
      setAutoTopUp({ userId: user.id, thresholdCredits: 100, packageId: 'starter', maxPerMonth: config.autoTopUp.maxPerMonth + 1, expectedAmountMinor: 1000 }),
    ).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(
      setAutoTopUp({ userId: user.id, thresholdCredits: 0, packageId: 'starter', maxPerMonth: 3, expectedAmountMinor: 1000 }),
    ).rejects.toBeInstanceOf(InvalidCreditsInputError);
    const stranger = await createUser();
    await expect(turnOn(stranger.id)).rejects.toBeInstanceOf(NoSavedCardError);
    config.autoTopUp.enabled = false;
    await expect(turnOn(user.id)).rejects.toBeInstanceOf(AutoTopUpDisabledError);
    await expect(startCardSetup({ userId: user.id })).rejects.toBeInstanceOf(AutoTopUpDisabledError);
    config.autoTopUp.enabled = true;
    expect(
      await db
        .select()
        .from(autoTopUps)
        .where(eq(autoTopUps.walletId, `user:${user.id}`)),
    ).toEqual(rowsBefore);
    expect(await autoJobs(`user:${user.id}`)).toEqual([]);
  });

  it("an organisation's auto top-up is for its owners and admins, and charges the organisation's card", async () => {
    const owner = await createUser();
    const organization = await createOrganization({ userId: owner.id, name: 'Auto Top-Up Org' });
    const member = await createUser();
    await addOrganizationMember({ organizationId: organization.id, memberId: member.id }, { userId: owner.id });
    await addCreditsDirectly({ organizationId: organization.id, credits: 150, creditsType: 'purchased', reason: 'Pack' });

    await expect(saveSimulatedCard({ userId: member.id, organizationId: organization.id, card: 'succeeds' })).rejects.toBeInstanceOf(
      OrganizationRoleRequiredError,
    );
    await saveSimulatedCard({ userId: owner.id, organizationId: organization.id, card: 'succeeds' });
    await expect(turnOn(member.id, { organizationId: organization.id })).rejects.toBeInstanceOf(OrganizationRoleRequiredError);
    await turnOn(owner.id, { organizationId: organization.id });
    // Members see it, read-only.
    expect(await getAutoTopUp({ userId: member.id, organizationId: organization.id })).toMatchObject({ enabled: true, card: { last4: '4242' } });

    await deductCreditsBonusFirst({ userId: member.id, organizationId: organization.id, credits: 60, reason: 'Work' });
    await drainJobs();
    expect((await getCreditsBalance(owner.id, { organizationId: organization.id })).creditsBalance).toBe(1090);
    expect((await autoPurchases(`org:${organization.id}`))[0]).toMatchObject({ status: 'paid', userId: owner.id });
  });
});

describe(`auto top-up against Stripe's API (${testDriver})`, () => {
  let stripe: Awaited<ReturnType<typeof startStripeServer>>;
  beforeAll(async () => {
    stripe = await startStripeServer();
  });
  afterAll(async () => {
    await stripe.close();
    simulator();
  });

  /** A user whose wallet has a Stripe customer and `pm` saved through a signed `setup_intent.succeeded`. */
  async function userWithStripeCard(credits: number, pm: string) {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits, creditsType: 'purchased', reason: 'Pack' });
    const setup = await startCardSetup({ userId: user.id });
    expect(setup.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const request = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    const customer = request.form.customer!;
    const response = await deliver(
      {
        ...fixtureEvent('checkout.session.completed.json'),
        type: 'setup_intent.succeeded',
        data: {
          object: {
            id: `seti_${user.id.replaceAll('-', '')}`,
            object: 'setup_intent',
            status: 'succeeded',
            customer,
            payment_method: pm,
            metadata: { walletId: `user:${user.id}` },
          },
        },
      },
      {},
    );
    expect(await response.json()).toMatchObject({ outcome: 'card_saved' });
    return { user, customer };
  }

  it('saves a card through Checkout in setup mode for the wallet customer, and opens the customer portal', async () => {
    const { user, customer } = await userWithStripeCard(150, 'pm_card_visa');
    const request = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(request.form).toMatchObject({
      mode: 'setup',
      customer,
      currency: 'usd',
      'setup_intent_data[metadata][walletId]': `user:${user.id}`,
      success_url: new URL('/dashboard/billings/credits?card=saved#auto-top-up', env.APP_URL).toString(),
    });
    expect((await getAutoTopUp({ userId: user.id })).card).toEqual({ brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 });

    const portal = await openPaymentMethods({ userId: user.id });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
    expect(stripe.requests.at(-1)!.form).toMatchObject({ customer, return_url: new URL('/dashboard/billings/credits#auto-top-up', env.APP_URL).toString() });
  });

  it('charges off-session with one idempotency key per crossing, retries through Stripe being down, and credits once on payment_intent.succeeded', async () => {
    const { user, customer } = await userWithStripeCard(150, 'pm_card_visa');
    await turnOn(user.id);
    await spend(user.id, 60);

    stripe.behaviour.failWith = 503;
    await runJobs();
    expect(await available(user.id)).toBe(90);
    stripe.behaviour.failWith = 0;
    const [job] = await autoJobs(`user:${user.id}`);
    const db = await getDb();
    await db
      .update(jobs)
      .set({ runAt: new Date(0), lockedUntil: null })
      .where(eq(jobs.id, job!.id));
    await runJobs();

    const [purchase] = await autoPurchases(`user:${user.id}`);
    const charges = stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(charges.length).toBeGreaterThanOrEqual(2);
    expect(new Set(charges.slice(-2).map((r) => r.headers['idempotency-key']))).toEqual(new Set([`credits-auto-top-up:${purchase!.id}`]));
    expect(charges.at(-1)!.form).toMatchObject({
      amount: '1000',
      currency: 'usd',
      customer,
      payment_method: 'pm_card_visa',
      off_session: 'true',
      confirm: 'true',
      'metadata[purchaseId]': purchase!.id,
    });
    expect(purchase).toMatchObject({ status: 'pending', stripePaymentIntentId: expect.stringMatching(/^pi_test_auto/) });
    // Nothing is credited until Stripe reports the payment.
    expect(await available(user.id)).toBe(90);

    const succeeded = paymentIntentSucceeded(purchase!.stripePaymentIntentId!, purchase!.id);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(succeeded)));
    const outcomes = await Promise.all(answers.map(async (answer) => (await answer.json()).outcome));
    expect(outcomes.sort()).toEqual(['already_fulfilled', 'already_fulfilled', 'already_fulfilled', 'already_fulfilled', 'fulfilled']);
    expect(await available(user.id)).toBe(1090);
    await drainJobs();
    expect((await listOutboxEmails({ to: user.email! })).filter((email) => email.subject.startsWith('Receipt:'))).toHaveLength(1);
  });

  it('a decline from the API is recorded once, whatever payment_intent.payment_failed says after it', async () => {
    const { user } = await userWithStripeCard(150, 'pm_card_chargeDeclined');
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    const [purchase] = await autoPurchases(`user:${user.id}`);
    expect(purchase).toMatchObject({ status: 'failed', failureCode: 'card_declined', stripePaymentIntentId: expect.stringMatching(/^pi_test_auto/) });
    const failed = {
      ...fixtureEvent('checkout.session.completed.json'),
      type: 'payment_intent.payment_failed',
      data: {
        object: {
          id: purchase!.stripePaymentIntentId,
          object: 'payment_intent',
          status: 'requires_payment_method',
          amount: 1000,
          currency: 'usd',
          metadata: { purchaseId: purchase!.id },
          last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
        },
      },
    };
    expect(await (await deliver(failed)).json()).toMatchObject({ outcome: 'unchanged' });
    const db = await getDb();
    const [settings] = await db
      .select()
      .from(autoTopUps)
      .where(eq(autoTopUps.walletId, `user:${user.id}`));
    expect(settings!.consecutiveFailures).toBe(1);
  });

  it('a card that needs authentication off-session fails as requires_action', async () => {
    const { user } = await userWithStripeCard(150, 'pm_card_authenticationRequired');
    await turnOn(user.id);
    await spend(user.id, 60);
    await drainJobs();
    expect((await autoPurchases(`user:${user.id}`))[0]).toMatchObject({ status: 'failed', failureCode: 'authentication_required' });
  });

  it("ignores payment intents that are not automatic top-ups (Checkout's, or another app's)", async () => {
    const event = {
      ...fixtureEvent('checkout.session.completed.json'),
      type: 'payment_intent.succeeded',
      data: {
        object: { id: 'pi_someone_else', object: 'payment_intent', status: 'succeeded', amount: 500, amount_received: 500, currency: 'usd', metadata: {} },
      },
    };
    expect(await (await deliver(event)).json()).toMatchObject({ outcome: 'ignored' });
    const removed = {
      ...fixtureEvent('checkout.session.completed.json'),
      type: 'payment_method.detached',
      data: { object: { id: 'pm_unknown', object: 'payment_method' } },
    };
    expect(await (await deliver(removed)).json()).toMatchObject({ outcome: 'ignored' });
  });
});
