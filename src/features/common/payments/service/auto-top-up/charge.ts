import { and, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import Stripe from 'stripe';

import { appConfig } from '@/config/app';
import { findCreditPackage, purchaseItemName } from '@/features/common/payments/credit-packages';
import { packagePrice } from '@/features/common/payments/pricing';
import { autoTopUpsThisMonth, type AutoTopUpPauseReason } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { creditsPageUrl } from '@/features/common/payments/service/credits-page-url';
import { testCardOf } from '@/features/common/payments/service/auto-top-up/test-cards';
import { chargeProblem, settleCharge, simulatedPaymentIntentId, type FulfilmentOutcome } from '@/features/common/payments/service/fulfilment';
import { enqueueJob, runJobsSoon, runNow, runPurchaseJobs, type AfterCommit } from '@/features/common/payments/service/jobs/jobs';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { lockPayment } from '@/features/common/payments/service/refunds';
import { callStripe, STRIPE_TIMEOUT_MS, walletOfCustomer } from '@/features/common/payments/service/stripe-customer';
import type { PaymentIntentEvent, PaymentMethodEvent, SetupIntentEvent } from '@/features/common/payments/service/stripe-event-schemas';
import { getDb, type Transaction } from '@/shared/db/client';
import { autoTopUps, creditBalances, creditPurchases, wallets, type CreditPurchase, type Job } from '@/shared/db/schema';
import { formatMoney } from '@/shared/lib/money';
import { isUuid } from '@/shared/lib/uuid';

/*
 * Auto top-up's charges. A crossing queues an `auto_top_up` job (drizzle/0018); the job decides under
 * the wallet's settings row lock — on, not paused, still below the threshold, no other automatic
 * charge in flight, under the monthly limit, price unchanged — and records a pending purchase keyed by
 * the crossing, in one transaction; then it asks Stripe for an off-session payment with one
 * idempotency key per purchase, so a retried job never charges twice. Credits arrive on
 * `payment_intent.succeeded`, through the same exactly-once crediting, ledger entry and receipt as
 * Checkout. A decline or a bank that wants the cardholder present fails the purchase, emails the
 * wallet's people and, after `failuresBeforePause` failures in a row, pauses auto top-up.
 */

/** What the `auto_top_up_notice` email is about. */
export type AutoTopUpNotice = 'declined' | 'requires_action' | 'monthly_limit' | 'price_changed' | 'card_removed';

export interface AutoTopUpNoticePayload {
  walletId: string;
  notice: AutoTopUpNotice;
  /** Auto top-up is paused now (the email says how to resume). */
  paused: boolean;
  amountText: string | null;
  itemName: string | null;
  /** Stripe's words about a failed charge. */
  message: string | null;
}

/** How long an automatic charge counts as in flight (blocking another) while Stripe has not reported on it. */
const IN_FLIGHT_MS = 24 * 60 * 60 * 1000;

async function queueNotice(tx: Transaction, reference: string, payload: AutoTopUpNoticePayload): Promise<void> {
  await enqueueJob(tx, { kind: 'auto_top_up_notice', reference, walletId: payload.walletId, payload });
}

/** Pauses a wallet's auto top-up (in the caller's transaction): no crossing queues a charge until the user resumes it. */
async function pause(tx: Transaction, walletId: string, reason: AutoTopUpPauseReason): Promise<void> {
  await tx.update(autoTopUps).set({ pausedAt: new Date(), pauseReason: reason, updatedAt: new Date() }).where(eq(autoTopUps.walletId, walletId));
  await tx.update(creditBalances).set({ autoTopUpThreshold: null }).where(eq(creditBalances.walletId, walletId));
}

/** A pending automatic purchase, and the card and customer to charge it to, as read under the settings row's lock. */
interface ToCharge {
  purchase: CreditPurchase;
  paymentMethodId: string | null;
  customerId: string | null;
}

/**
 * Decides whether a crossing buys a top-up and, if so, records its pending purchase (once per crossing:
 * the purchase is keyed by the job's reference). Returns what to charge, or null.
 */
async function recordAutoTopUp(job: Job): Promise<ToCharge | null> {
  const db = await getDb();
  const walletId = job.walletId ?? String((job.payload as { walletId?: unknown }).walletId);
  return db.transaction(async (tx) => {
    // The settings row's lock serialises every decision about this wallet: the limit holds however many jobs run at once.
    const [row] = await tx
      .select({ settings: autoTopUps, customerId: wallets.stripeCustomerId })
      .from(autoTopUps)
      .innerJoin(wallets, eq(wallets.id, autoTopUps.walletId))
      .where(eq(autoTopUps.walletId, walletId))
      .for('update', { of: autoTopUps });
    const settings = row?.settings;
    const charge = (purchase: CreditPurchase): ToCharge => ({
      purchase,
      paymentMethodId: settings?.paymentMethodId ?? null,
      customerId: row?.customerId ?? null,
    });
    const [existing] = await tx.select().from(creditPurchases).where(eq(creditPurchases.autoTopUpReference, job.reference));
    // A retried job charges the purchase it recorded, with the same idempotency key.
    if (existing) return existing.status === 'pending' ? charge(existing) : null;
    if (!settings?.enabled || settings.pausedAt || !settings.paymentMethodId) return null;
    const [balance] = await tx
      .select({ available: sql<number>`${creditBalances.purchased} + ${creditBalances.bonus}`.mapWith(Number) })
      .from(creditBalances)
      .where(eq(creditBalances.walletId, walletId));
    // The balance rose back (a purchase came first): nothing to top up.
    if (!balance || balance.available >= settings.thresholdCredits!) return null;
    // One automatic charge at a time: the one in flight will re-arm the threshold when it lands.
    const [inFlight] = await tx
      .select({ id: creditPurchases.id })
      .from(creditPurchases)
      .where(
        and(
          eq(creditPurchases.walletId, walletId),
          eq(creditPurchases.kind, 'auto_top_up'),
          eq(creditPurchases.status, 'pending'),
          // A charge Stripe never reported on stops blocking after a day.
          gte(creditPurchases.createdAt, new Date(Date.now() - IN_FLIGHT_MS)),
        ),
      )
      .limit(1);
    if (inFlight) return null;
    const itemName = purchaseItemName({ packageId: settings.packageId, credits: settings.credits! });
    const amountText = formatMoney(settings.amountMinor!, settings.currency!);
    if ((await autoTopUpsThisMonth(tx, walletId)) >= settings.maxPerMonth!) {
      const month = new Date().toISOString().slice(0, 7);
      await queueNotice(tx, `${walletId}:limit:${month}`, { walletId, notice: 'monthly_limit', paused: false, amountText, itemName, message: null });
      return null;
    }
    const pkg = findCreditPackage(settings.packageId);
    const price = pkg ? packagePrice(pkg, settings.currency) : null;
    if (!pkg || !price || price.amountMinor !== settings.amountMinor || price.currency !== settings.currency || pkg.creditsAmount !== settings.credits) {
      // Never charge an amount the user did not agree to: pause and ask them to confirm the new one.
      await pause(tx, walletId, 'price_changed');
      await queueNotice(tx, `${walletId}:price:${job.reference}`, { walletId, notice: 'price_changed', paused: true, amountText, itemName, message: null });
      return null;
    }
    const [purchase] = await tx
      .insert(creditPurchases)
      .values({
        userId: settings.enabledBy,
        walletId,
        kind: 'auto_top_up',
        autoTopUpReference: job.reference,
        packageId: settings.packageId,
        credits: settings.credits!,
        amountMinor: settings.amountMinor!,
        currency: settings.currency!,
        successUrl: creditsPageUrl(),
        cancelUrl: creditsPageUrl(),
      })
      .returning();
    return charge(purchase!);
  });
}

interface StripeAnswer {
  paymentIntentId: string | null;
  outcome: 'charged' | 'declined' | 'requires_action';
  code: string | null;
  message: string | null;
}

/** Asks Stripe (or the simulator's bank) for the off-session payment of a pending automatic purchase. */
async function chargeOffSession(purchase: CreditPurchase, paymentMethodId: string, customerId: string | null): Promise<StripeAnswer> {
  const gateway = getPaymentsGateway();
  if (gateway.kind === 'simulator') {
    const card = testCardOf(paymentMethodId);
    const paymentIntentId = simulatedPaymentIntentId(purchase);
    if (card?.outcome === 'succeeds') return { paymentIntentId, outcome: 'charged', code: null, message: null };
    if (card?.outcome === 'requires_action') {
      return { paymentIntentId, outcome: 'requires_action', code: 'authentication_required', message: 'Your bank asks you to confirm this payment.' };
    }
    return { paymentIntentId, outcome: 'declined', code: 'card_declined', message: 'Your card was declined.' };
  }
  const metadata = {
    purchaseId: purchase.id,
    walletId: purchase.walletId,
    userId: purchase.userId ?? '',
    autoTopUp: 'true',
    credits: String(purchase.credits),
  };
  try {
    const intent = await callStripe('create off-session payment', () =>
      gateway.stripe.paymentIntents.create(
        {
          amount: purchase.amountMinor,
          currency: purchase.currency,
          customer: customerId ?? undefined,
          payment_method: paymentMethodId,
          off_session: true,
          confirm: true,
          description: `${appConfig.name}: automatic top-up, ${purchaseItemName(purchase)}`,
          metadata,
        },
        // One key per purchase, so per crossing: a retried job gets Stripe's first answer, never a second charge.
        { idempotencyKey: `credits-auto-top-up:${purchase.id}`, timeout: STRIPE_TIMEOUT_MS },
      ),
    );
    if (intent.status === 'requires_action') {
      return {
        paymentIntentId: intent.id,
        outcome: 'requires_action',
        code: 'authentication_required',
        message: 'Your bank asks you to confirm this payment.',
      };
    }
    if (intent.status === 'requires_payment_method' || intent.status === 'canceled') {
      const error = intent.last_payment_error;
      return { paymentIntentId: intent.id, outcome: 'declined', code: error?.code ?? 'card_declined', message: error?.message ?? 'The payment failed.' };
    }
    return { paymentIntentId: intent.id, outcome: 'charged', code: null, message: null };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const intent = (error.raw as { payment_intent?: { id?: string } } | undefined)?.payment_intent;
      const code = error.code ?? 'card_declined';
      return {
        paymentIntentId: intent?.id ?? null,
        outcome: code === 'authentication_required' ? 'requires_action' : 'declined',
        code,
        message: error.message,
      };
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError && (error.code === 'resource_missing' || error.param === 'payment_method')) {
      // The saved card is gone (removed in the portal before we heard): a failure the user must fix.
      return {
        paymentIntentId: null,
        outcome: 'declined',
        code: error.code ?? 'payment_method_unavailable',
        message: 'The saved card can no longer be charged.',
      };
    }
    throw error;
  }
}

/**
 * Records that an automatic purchase's charge failed — once, whichever of the API's answer and the
 * `payment_intent.payment_failed` event comes first — and counts the failure: after
 * `failuresBeforePause` in a row auto top-up pauses. Emails the wallet's people either way.
 */
export async function recordAutoTopUpFailure(
  purchaseId: string,
  failure: { paymentIntentId: string | null; outcome: 'declined' | 'requires_action'; code: string | null; message: string | null },
): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (failure.paymentIntentId) await lockPayment(tx, failure.paymentIntentId);
    const [failed] = await tx
      .update(creditPurchases)
      .set({
        status: 'failed',
        failureCode: (failure.code ?? failure.outcome).slice(0, 100),
        failureMessage: failure.message?.slice(0, 500) ?? null,
        ...(failure.paymentIntentId && { stripePaymentIntentId: failure.paymentIntentId }),
        updatedAt: new Date(),
      })
      .where(and(eq(creditPurchases.id, purchaseId), eq(creditPurchases.kind, 'auto_top_up'), eq(creditPurchases.status, 'pending')))
      .returning();
    if (!failed) return false;
    const [settings] = await tx
      .update(autoTopUps)
      .set({ consecutiveFailures: sql`${autoTopUps.consecutiveFailures} + 1`, updatedAt: new Date() })
      .where(eq(autoTopUps.walletId, failed.walletId))
      .returning();
    const paused = Boolean(settings?.enabled && !settings.pausedAt && settings.consecutiveFailures >= appConfig.billing.credits.autoTopUp.failuresBeforePause);
    if (paused) await pause(tx, failed.walletId, 'payment_failed');
    await queueNotice(tx, `${failed.walletId}:failed:${failed.id}`, {
      walletId: failed.walletId,
      notice: failure.outcome,
      paused: paused || Boolean(settings?.pausedAt),
      amountText: formatMoney(failed.amountMinor, failed.currency),
      itemName: purchaseItemName(failed),
      message: failed.failureMessage,
    });
    return true;
  });
}

/** Stores the payment intent an automatic purchase is being charged under (it arrives with the charge's events). */
async function rememberPaymentIntent(purchaseId: string, paymentIntentId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(creditPurchases)
    .set({ stripePaymentIntentId: paymentIntentId, updatedAt: new Date() })
    .where(and(eq(creditPurchases.id, purchaseId), isNull(creditPurchases.stripePaymentIntentId)));
}

/**
 * The `auto_top_up` job: one crossing's top-up, decided and charged as the file's header says. Throws
 * (so the job is retried, with the same idempotency key) only when Stripe or the database is unavailable.
 * Notices it queues are sent by the same job run, which claims again until nothing is due.
 */
export async function runAutoTopUp(job: Job): Promise<void> {
  const toCharge = await recordAutoTopUp(job);
  if (!toCharge) return;
  const { purchase, paymentMethodId, customerId } = toCharge;
  if (!paymentMethodId) {
    await recordAutoTopUpFailure(purchase.id, { paymentIntentId: null, outcome: 'declined', code: 'no_saved_card', message: 'No card is saved.' });
    return;
  }
  const answer = await chargeOffSession(purchase, paymentMethodId, customerId);
  if (answer.outcome !== 'charged') await recordAutoTopUpFailure(purchase.id, { ...answer, outcome: answer.outcome });
  else if (answer.paymentIntentId) await rememberPaymentIntent(purchase.id, answer.paymentIntentId);
  // Stripe sends payment_intent.succeeded or .payment_failed; the simulator plays Stripe and sends it now.
  if (getPaymentsGateway().kind === 'simulator') await deliverSimulatedPaymentEvent(purchase, paymentMethodId, answer);
}

/** The simulator's `payment_intent.succeeded` or `.payment_failed`, signed and handed to the webhook like Stripe's. */
async function deliverSimulatedPaymentEvent(purchase: CreditPurchase, paymentMethodId: string, answer: StripeAnswer): Promise<void> {
  const { deliverSimulatedEvent } = await import('@/features/common/payments/service/checkout-simulator');
  const succeeded = answer.outcome === 'charged';
  await deliverSimulatedEvent(succeeded ? 'payment_intent.succeeded' : 'payment_intent.payment_failed', {
    id: answer.paymentIntentId ?? simulatedPaymentIntentId(purchase),
    object: 'payment_intent',
    amount: purchase.amountMinor,
    amount_received: succeeded ? purchase.amountMinor : 0,
    currency: purchase.currency,
    customer: null,
    payment_method: paymentMethodId,
    status: succeeded ? 'succeeded' : 'requires_payment_method',
    off_session: true,
    last_payment_error: succeeded ? null : { code: answer.code, message: answer.message, type: 'card_error' },
    metadata: { purchaseId: purchase.id, walletId: purchase.walletId, autoTopUp: 'true' },
  });
}

/** The automatic purchase a payment intent is for (by its id, or the purchase its metadata names), or null. */
async function autoPurchaseOf(intent: PaymentIntentEvent): Promise<string | null> {
  const db = await getDb();
  const byIntent = await db
    .select({ id: creditPurchases.id, kind: creditPurchases.kind })
    .from(creditPurchases)
    .where(eq(creditPurchases.stripePaymentIntentId, intent.id));
  if (byIntent[0]) return byIntent[0].kind === 'auto_top_up' ? byIntent[0].id : null;
  const named = intent.metadata?.purchaseId;
  if (!isUuid(named)) return null;
  const [purchase] = await db
    .select({ id: creditPurchases.id })
    .from(creditPurchases)
    .where(
      and(
        eq(creditPurchases.id, named),
        eq(creditPurchases.kind, 'auto_top_up'),
        or(isNull(creditPurchases.stripePaymentIntentId), eq(creditPurchases.stripePaymentIntentId, intent.id)),
      ),
    );
  return purchase?.id ?? null;
}

/**
 * `payment_intent.succeeded` for an automatic top-up: credits its purchase exactly once (Checkout's
 * payments are credited by their session's event, and this answers `ignored` for them). A charge that
 * is not the agreed amount in the agreed currency is held for review, as at Checkout. Money that
 * arrived after the charge was recorded as failed (the cardholder completed it later) is credited too.
 */
export async function fulfilAutoTopUp(intent: PaymentIntentEvent, eventId: string, afterCommit: AfterCommit = runNow): Promise<FulfilmentOutcome | 'ignored'> {
  if (intent.status !== 'succeeded') return 'ignored';
  const purchaseId = await autoPurchaseOf(intent);
  if (!purchaseId) return 'ignored';
  const db = await getDb();
  const outcome = await db.transaction(async (tx): Promise<FulfilmentOutcome> => {
    await lockPayment(tx, intent.id);
    const [purchase] = await tx.select().from(creditPurchases).where(eq(creditPurchases.id, purchaseId)).for('update');
    if (!purchase) return 'unknown_session';
    if (purchase.status === 'paid') return 'already_fulfilled';
    if (purchase.status === 'needs_review') return 'held_for_review';
    const charged = {
      stripePaymentIntentId: intent.id,
      amountPaidMinor: intent.amount_received,
      currencyPaid: intent.currency,
      amountSubtotalMinor: intent.amount_received,
      amountDiscountMinor: 0,
      amountTaxMinor: 0,
      updatedAt: new Date(),
    };
    const problem = chargeProblem({ amount_total: intent.amount_received, currency: intent.currency, total_details: null }, purchase);
    const settled = await settleCharge(tx, purchase, charged, problem, eventId);
    // A charge that went through ends a run of failures.
    if (settled === 'fulfilled') {
      await tx.update(autoTopUps).set({ consecutiveFailures: 0, updatedAt: new Date() }).where(eq(autoTopUps.walletId, purchase.walletId));
    }
    return settled;
  });
  await afterCommit(() => runPurchaseJobs(purchaseId));
  return outcome;
}

/** `payment_intent.payment_failed` for an automatic top-up: the failure, recorded once. */
export async function failAutoTopUp(intent: PaymentIntentEvent): Promise<'recorded_failure' | 'unchanged' | 'ignored'> {
  const purchaseId = await autoPurchaseOf(intent);
  if (!purchaseId) return 'ignored';
  const code = intent.last_payment_error?.code ?? null;
  const recorded = await recordAutoTopUpFailure(purchaseId, {
    paymentIntentId: intent.id,
    outcome: code === 'authentication_required' || intent.status === 'requires_action' ? 'requires_action' : 'declined',
    code: code ?? 'card_declined',
    message: intent.last_payment_error?.message ?? null,
  });
  // Its notice was queued outside any job run: ask this process to send it.
  if (recorded) runJobsSoon();
  return recorded ? 'recorded_failure' : 'unchanged';
}

/**
 * `setup_intent.succeeded`: a card saved for a wallet's customer (Checkout in setup mode, or the
 * portal) becomes the card auto top-up charges. A paused auto top-up resumes with it. An event older
 * than the card already saved changes nothing; a customer that is not one of our wallets' is ignored.
 */
export async function saveCardFromSetupIntent(intent: SetupIntentEvent, event: { at: Date }): Promise<'card_saved' | 'unchanged' | 'ignored'> {
  if (intent.status !== 'succeeded' || !intent.customer || !intent.payment_method) return 'ignored';
  const db = await getDb();
  const walletId = await walletOfCustomer(db, intent.customer);
  if (!walletId) return 'ignored';
  const card = await describeCard(intent.payment_method);
  const saved = await db.transaction(async (tx) => {
    await tx.insert(autoTopUps).values({ walletId }).onConflictDoNothing();
    const [row] = await tx
      .update(autoTopUps)
      .set({
        paymentMethodId: intent.payment_method!,
        cardBrand: card.brand,
        cardLast4: card.last4,
        cardExpMonth: card.expMonth,
        cardExpYear: card.expYear,
        cardSavedAt: event.at,
        consecutiveFailures: 0,
        pausedAt: null,
        pauseReason: null,
        updatedAt: new Date(),
      })
      .where(and(eq(autoTopUps.walletId, walletId), or(isNull(autoTopUps.cardSavedAt), lte(autoTopUps.cardSavedAt, event.at))))
      .returning();
    if (!row) return false;
    // Resumed: the threshold goes back on the balance row, so the next crossing charges the new card.
    if (row.enabled) await tx.update(creditBalances).set({ autoTopUpThreshold: row.thresholdCredits }).where(eq(creditBalances.walletId, walletId));
    return true;
  });
  return saved ? 'card_saved' : 'unchanged';
}

/** Brand, last four digits and expiry of a saved card, for people to recognise it. */
async function describeCard(paymentMethodId: string): Promise<{ brand: string; last4: string; expMonth: number | null; expYear: number | null }> {
  const gateway = getPaymentsGateway();
  if (gateway.kind === 'simulator') {
    const card = testCardOf(paymentMethodId);
    return card
      ? { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear }
      : { brand: 'card', last4: '????', expMonth: null, expYear: null };
  }
  const method = await callStripe('retrieve payment method', () => gateway.stripe.paymentMethods.retrieve(paymentMethodId, {}, { timeout: STRIPE_TIMEOUT_MS }));
  const card = method.card;
  return {
    brand: (card?.brand ?? method.type).slice(0, 30),
    last4: (card?.last4 ?? '????').slice(0, 4),
    expMonth: card?.exp_month ?? null,
    expYear: card?.exp_year ?? null,
  };
}

/**
 * `payment_method.detached`: the saved card was removed (in the portal, or by Stripe). Auto top-up
 * forgets it and, if on, pauses until another card is saved; the wallet's people are told.
 */
export async function forgetRemovedCard(method: PaymentMethodEvent): Promise<'card_removed' | 'ignored'> {
  const db = await getDb();
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(autoTopUps).where(eq(autoTopUps.paymentMethodId, method.id)).for('update');
    if (!row) return 'ignored';
    await tx
      .update(autoTopUps)
      .set({ paymentMethodId: null, cardBrand: null, cardLast4: null, cardExpMonth: null, cardExpYear: null, enabled: false, updatedAt: new Date() })
      .where(eq(autoTopUps.walletId, row.walletId));
    if (row.enabled) {
      await pause(tx, row.walletId, 'card_removed');
      // `enabled` stays on the row as false with the pause recorded: the page offers to save a card and turn it on again.
      await queueNotice(tx, `${row.walletId}:removed:${method.id}`, {
        walletId: row.walletId,
        notice: 'card_removed',
        paused: true,
        amountText: row.amountMinor && row.currency ? formatMoney(row.amountMinor, row.currency) : null,
        itemName: row.packageId ? purchaseItemName({ packageId: row.packageId, credits: row.credits ?? 0 }) : null,
        message: null,
      });
    }
    return 'card_removed' as const;
  });
  if (outcome === 'card_removed') runJobsSoon();
  return outcome;
}
