import { and, eq, isNull, or, sql, sum } from 'drizzle-orm';
import Stripe from 'stripe';

import { purchaseWallet } from '@/features/common/payments/service/fulfilment';
import { ledger, runLedger } from '@/features/common/payments/service/ledger/ledger';
import type { CreditsDisputePayload, CreditsRefundPayload } from '@/features/common/payments/service/payment-callback.service';
import { enqueueJob, runPurchaseJobs } from '@/features/common/payments/service/jobs/jobs';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import type { ChargeEvent, DisputeEvent, RefundEvent } from '@/features/common/payments/service/stripe-event-schemas';
import { getDb, pipelined, type Transaction } from '@/shared/db/client';
import { creditDisputes, creditPurchases, paymentAdjustments, refundFailures, type CreditPurchase } from '@/shared/db/schema';
import { isUuid } from '@/shared/lib/uuid';

export type ReversalOutcome = 'reversed' | 'returned' | 'nothing_to_reverse' | 'recorded_before_fulfilment' | 'unknown_payment';

/** Where an event came from: its id (for the ledger) and when Stripe created it (to order refund figures). */
export interface EventSource {
  eventId: string;
  at: Date;
}

/**
 * Serialises everything about one payment — its fulfilment, refunds and disputes — for the rest of
 * the transaction, whichever of them arrives first and whether or not the purchase row has learnt
 * its payment intent yet. Stripe does not promise to deliver events in order.
 */
export async function lockPayment(tx: Transaction, paymentIntentId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${paymentLockKey(paymentIntentId)}))`);
}

/** The advisory lock's key for one payment (`credits_fulfil_checkout` takes the same one). */
export const paymentLockKey = (paymentIntentId: string) => `credits:payment:${paymentIntentId}`;

/** A bound on asking Stripe whose payment this is, so a slow Stripe becomes a retried 500, not a hung request. */
const PAYMENT_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * The purchase a payment belongs to, or null when it is not one of ours. A purchase learns its
 * payment intent at fulfilment; a refund or dispute that comes first is matched by asking Stripe for
 * the payment intent, whose metadata names the purchase (set at checkout). Payments of other apps on
 * the same Stripe account, or made by hand, are not ours: nothing about them is kept.
 */
async function findOwnPurchase(paymentIntentId: string): Promise<string | null> {
  const db = await getDb();
  const [known] = await db.select({ id: creditPurchases.id }).from(creditPurchases).where(eq(creditPurchases.stripePaymentIntentId, paymentIntentId));
  if (known) return known.id;

  const gateway = getPaymentsGateway();
  // The simulator fulfils its payments as it makes them, and never refunds: an unknown one is not ours.
  if (gateway.kind !== 'stripe') return null;
  let purchaseId: string | undefined;
  try {
    const intent = await gateway.stripe.paymentIntents.retrieve(paymentIntentId, {}, { timeout: PAYMENT_LOOKUP_TIMEOUT_MS });
    purchaseId = intent.metadata?.purchaseId;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
    throw error;
  }
  if (!isUuid(purchaseId)) return null;
  const [purchase] = await db
    .select({ id: creditPurchases.id })
    .from(creditPurchases)
    .where(
      and(eq(creditPurchases.id, purchaseId), or(isNull(creditPurchases.stripePaymentIntentId), eq(creditPurchases.stripePaymentIntentId, paymentIntentId))),
    );
  return purchase?.id ?? null;
}

/** The refunded amount of a payment now: Stripe's latest figure, less refunds that failed since. */
async function refundedNow(tx: Transaction, paymentIntentId: string): Promise<{ refunded: number; disputeLost: number }> {
  // Both in one round trip: the failures since Stripe's figure are found by a subquery, not by a second trip.
  const refundedAsOf = sql`(select ${paymentAdjustments.refundedAsOf} from ${paymentAdjustments} where ${paymentAdjustments.paymentIntentId} = ${paymentIntentId})`;
  const [[adjustment], [failed]] = await pipelined([
    tx.select().from(paymentAdjustments).where(eq(paymentAdjustments.paymentIntentId, paymentIntentId)),
    tx
      .select({ amount: sum(refundFailures.amountMinor) })
      .from(refundFailures)
      .where(and(eq(refundFailures.paymentIntentId, paymentIntentId), sql`${refundFailures.failedAt} > coalesce(${refundedAsOf}, '-infinity')`)),
  ]);
  return { refunded: Math.max(0, (adjustment?.amountRefundedMinor ?? 0) - Number(failed?.amount ?? 0)), disputeLost: adjustment?.amountDisputeLostMinor ?? 0 };
}

/**
 * Brings the credits taken back from a paid purchase in line with the share of its payment given
 * back: refunds plus lost disputes, capped at what was paid. So a second partial refund takes only
 * the difference, a repeated event nothing, a refund plus a lost dispute of the same money no more
 * than all of it — and a refund that failed gives its credits back, once (only those actually taken:
 * credits the user had already spent were never taken). Runs inside the caller's transaction, under
 * `lockPayment`, with the purchase row locked.
 */
export async function settleGivenBack(tx: Transaction, purchase: CreditPurchase, paymentIntentId: string, eventId: string | null): Promise<ReversalOutcome> {
  const paid = purchase.amountPaidMinor ?? purchase.amountMinor;
  // Nothing was paid (a full discount): there is no share of a payment to take back, and no division by zero.
  if (paid <= 0) return 'nothing_to_reverse';
  const { refunded, disputeLost } = await refundedNow(tx, paymentIntentId);
  const givenBack = Math.min(paid, refunded + disputeLost);
  // Integer share of the credits, rounded down: BigInt keeps credits × amount exact.
  const target = Number((BigInt(purchase.credits) * BigInt(givenBack)) / BigInt(paid));
  const wallet = purchaseWallet(purchase);
  const refs = {
    purchaseId: purchase.id,
    stripeCheckoutSessionId: purchase.stripeCheckoutSessionId,
    stripePaymentIntentId: paymentIntentId,
    stripeEventId: eventId,
  };

  if (target > purchase.creditsReversed) {
    const credits = target - purchase.creditsReversed;
    const cause: CreditsRefundPayload['cause'] = disputeLost > 0 ? 'dispute_lost' : 'refund';
    // Taken from the purchase's own lot first, then other purchased credits; never below zero.
    const reversed = await runLedger(
      tx,
      ledger.reverse(
        wallet,
        credits,
        {
          reason: cause === 'refund' ? 'Refund' : 'Dispute lost',
          actorType: 'stripe',
          metadata: { purchaseId: purchase.id, cause, creditsReversed: credits, amountGivenBackMinor: givenBack },
        },
        refs,
      ),
    );
    if (reversed.status !== 'ok') throw new Error(`Reversing purchase ${purchase.id} answered ${reversed.status}`);
    const shortfall = credits - Math.abs(reversed.entry!.purchasedDelta);
    await tx
      .update(creditPurchases)
      .set({ creditsReversed: target, creditsShortfall: purchase.creditsShortfall + shortfall, updatedAt: new Date() })
      .where(eq(creditPurchases.id, purchase.id));
    const payload: CreditsRefundPayload = {
      userId: purchase.userId,
      organizationId: wallet.organizationId,
      purchaseId: purchase.id,
      cause,
      creditsReversed: credits,
      creditsShortfall: shortfall,
      amountRefundedMinor: givenBack,
      currency: purchase.currency,
    };
    await enqueueJob(tx, { kind: 'refund_callback', reference: `refund:${reversed.entry!.id}`, purchaseId: purchase.id, payload });
    return 'reversed';
  }

  if (target < purchase.creditsReversed) {
    // A refund failed: the money stays with the merchant, so the credits go back to the buyer.
    const taken = purchase.creditsReversed - purchase.creditsShortfall;
    const stillTaken = Math.min(taken, target);
    const credits = taken - stillTaken;
    if (credits > 0) {
      const returned = await runLedger(
        tx,
        ledger.add(
          wallet,
          { type: 'correction', bucket: 'purchased', source: 'correction', credits },
          {
            reason: 'Refund failed: credits returned',
            actorType: 'stripe',
            metadata: { purchaseId: purchase.id, cause: 'refund_failed', creditsReturned: credits, amountGivenBackMinor: givenBack },
          },
          refs,
        ),
      );
      if (returned.status !== 'ok') throw new Error(`Returning credits of purchase ${purchase.id} answered ${returned.status}`);
    }
    await tx
      .update(creditPurchases)
      .set({ creditsReversed: target, creditsShortfall: target - stillTaken, updatedAt: new Date() })
      .where(eq(creditPurchases.id, purchase.id));
    return credits > 0 ? 'returned' : 'nothing_to_reverse';
  }
  return 'nothing_to_reverse';
}

/**
 * Records something about a payment of one of our purchases (`record`, in the transaction, under the
 * payment's lock) and, when the purchase is paid, settles its credits. The purchase learns its payment
 * intent here if it had not yet. Afterwards the purchase's pending tasks run.
 */
async function applyToPayment(
  paymentIntentId: string | null,
  eventId: string,
  record: (tx: Transaction, purchase: CreditPurchase, paymentIntentId: string) => Promise<void>,
): Promise<ReversalOutcome> {
  if (!paymentIntentId) return 'unknown_payment';
  // Outside the transaction: it may ask Stripe, and no external call runs while rows are locked.
  const purchaseId = await findOwnPurchase(paymentIntentId);
  if (!purchaseId) return 'unknown_payment';

  const db = await getDb();
  const result = await db.transaction(async (tx): Promise<{ outcome: ReversalOutcome; purchaseId?: string }> => {
    await lockPayment(tx, paymentIntentId);
    const [purchase] = await tx.select().from(creditPurchases).where(eq(creditPurchases.id, purchaseId)).for('update');
    if (!purchase) return { outcome: 'unknown_payment' };
    if (!purchase.stripePaymentIntentId) {
      await tx.update(creditPurchases).set({ stripePaymentIntentId: paymentIntentId, updatedAt: new Date() }).where(eq(creditPurchases.id, purchase.id));
    }
    await record(tx, purchase, paymentIntentId);
    if (purchase.status !== 'paid') return { outcome: 'recorded_before_fulfilment' };
    return { outcome: await settleGivenBack(tx, purchase, paymentIntentId, eventId), purchaseId: purchase.id };
  });
  if (result.purchaseId) await runPurchaseJobs(result.purchaseId);
  return result.outcome;
}

/**
 * `charge.refunded`: records the charge's cumulative refund as of the event (a newer event's figure
 * replaces an older one, so it can go down when a refund fails) and settles that share of credits.
 */
export function applyChargeRefund(charge: ChargeEvent, source: EventSource): Promise<ReversalOutcome> {
  return applyToPayment(charge.payment_intent, source.eventId, async (tx, _purchase, paymentIntentId) => {
    const refunded = charge.amount_refunded;
    // A timestamp parameter both drivers take (postgres.js does not bind a raw Date in `sql`).
    const at = sql`${source.at.toISOString()}::timestamptz`;
    await tx
      .insert(paymentAdjustments)
      .values({ paymentIntentId, amountRefundedMinor: refunded, refundedAsOf: source.at })
      .onConflictDoUpdate({
        target: paymentAdjustments.paymentIntentId,
        set: {
          // Two figures of the same second: refunds only accumulate within it, take the larger.
          amountRefundedMinor: sql`case when ${paymentAdjustments.refundedAsOf} = ${at} then greatest(${paymentAdjustments.amountRefundedMinor}, ${refunded}) else ${refunded} end`,
          refundedAsOf: source.at,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${paymentAdjustments.refundedAsOf} is null or ${paymentAdjustments.refundedAsOf} <= ${at}`,
      });
  });
}

/**
 * `charge.refund.updated` / `refund.updated` / `refund.failed` with status `failed`: the refund's
 * money was not given back after all. Recorded once per refund; the purchase's credits are settled
 * again, which returns those the refund had taken.
 */
export function applyRefundFailure(refund: RefundEvent, source: EventSource): Promise<ReversalOutcome> {
  return applyToPayment(refund.payment_intent, source.eventId, async (tx, _purchase, paymentIntentId) => {
    await tx
      .insert(refundFailures)
      .values({ refundId: refund.id, paymentIntentId, amountMinor: refund.amount, failedAt: source.at })
      .onConflictDoNothing({ target: refundFailures.refundId });
  });
}

export function disputePayload(purchase: CreditPurchase, dispute: { id: string; amountMinor: number; reason: string; status: string }): CreditsDisputePayload {
  return {
    userId: purchase.userId,
    organizationId: purchaseWallet(purchase).organizationId,
    purchaseId: purchase.id,
    disputeId: dispute.id,
    amountMinor: dispute.amountMinor,
    currency: purchase.currency,
    reason: dispute.reason,
    status: dispute.status,
  };
}

/**
 * `charge.dispute.created` / `.updated` / `.closed`: records the dispute and reports it to
 * `onCreditsDisputed` (once per dispute). Credits stay until it is lost; then its amount counts as
 * given back, like a refund. A dispute on a purchase not yet fulfilled is recorded now and reported
 * by the fulfilment, after the credit.
 */
export function recordDispute(dispute: DisputeEvent, source: EventSource): Promise<ReversalOutcome> {
  const lost = dispute.status === 'lost' ? dispute.amount : 0;
  return applyToPayment(dispute.payment_intent, source.eventId, async (tx, purchase, paymentIntentId) => {
    await tx
      .insert(paymentAdjustments)
      .values({ paymentIntentId, amountDisputeLostMinor: lost })
      .onConflictDoUpdate({
        target: paymentAdjustments.paymentIntentId,
        set: { amountDisputeLostMinor: sql`greatest(${paymentAdjustments.amountDisputeLostMinor}, ${lost})`, updatedAt: sql`now()` },
      });
    // A dispute's status only moves forward to a closed state; a late `created` must not reopen it.
    await tx
      .insert(creditDisputes)
      .values({ id: dispute.id, purchaseId: purchase.id, amountMinor: dispute.amount, reason: dispute.reason, status: dispute.status })
      .onConflictDoUpdate({
        target: creditDisputes.id,
        set: { status: dispute.status, updatedAt: sql`now()` },
        setWhere: sql`${creditDisputes.status} not in ('won', 'lost')`,
      });
    if (purchase.status === 'paid') {
      const payload = disputePayload(purchase, { id: dispute.id, amountMinor: dispute.amount, reason: dispute.reason, status: dispute.status });
      await enqueueJob(tx, { kind: 'dispute_callback', reference: dispute.id, purchaseId: purchase.id, payload });
    }
  });
}
