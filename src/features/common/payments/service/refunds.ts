import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';

import { reversalStatement, runLedgerStatement } from '@/features/common/payments/service/credits-ledger';
import type { CreditsDisputePayload, CreditsRefundPayload } from '@/features/common/payments/service/payment-callback.service';
import { enqueuePaymentTask, runPaymentTasks } from '@/features/common/payments/service/payment-tasks';
import { getDb, type Transaction } from '@/shared/db/client';
import { creditDisputes, creditPurchases, type CreditPurchase } from '@/shared/db/schema';

export type ReversalOutcome = 'reversed' | 'nothing_to_reverse' | 'unknown_payment';

type Cause = CreditsRefundPayload['cause'];

function idOf(value: string | { id: string } | null): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

/**
 * Brings the credits taken back from a purchase up to its refunded share. The share counts both
 * refunds (Stripe's cumulative `amount_refunded`) and a lost dispute, whichever is larger, so a second
 * partial refund takes only the difference and a refund plus a lost dispute of the same money take it
 * once. Runs under the purchase row's lock, inside the caller's transaction.
 */
async function reverseRefundedShare(tx: Transaction, purchase: CreditPurchase, cause: Cause, eventId: string): Promise<ReversalOutcome> {
  const lostMinor = Math.min(purchase.amountMinor, Math.max(purchase.amountRefundedMinor, purchase.amountDisputeLostMinor));
  // Integer share of the credits, rounded down: BigInt keeps credits × amount exact.
  const target = Number((BigInt(purchase.credits) * BigInt(lostMinor)) / BigInt(purchase.amountMinor));
  const credits = target - purchase.creditsReversed;
  if (credits <= 0) return 'nothing_to_reverse';

  const entry = await runLedgerStatement(
    tx,
    reversalStatement(credits, {
      userId: purchase.userId,
      reason: cause === 'refund' ? 'Refund' : 'Dispute lost',
      actorType: 'stripe',
      stripeCheckoutSessionId: purchase.stripeCheckoutSessionId,
      stripePaymentIntentId: purchase.stripePaymentIntentId,
      stripeEventId: eventId,
      metadata: { purchaseId: purchase.id, cause, creditsReversed: credits, amountLostMinor: lostMinor },
    }),
    purchase.userId,
  );
  await tx.update(creditPurchases).set({ creditsReversed: target, updatedAt: new Date() }).where(eq(creditPurchases.id, purchase.id));
  const payload: CreditsRefundPayload = {
    userId: purchase.userId,
    purchaseId: purchase.id,
    cause,
    creditsReversed: credits,
    creditsShortfall: Number(entry!.metadata?.creditsShortfall ?? 0),
    amountRefundedMinor: lostMinor,
    currency: purchase.currency,
  };
  await enqueuePaymentTask(tx, { kind: 'refund_callback', reference: `refund:${entry!.id}`, purchaseId: purchase.id, payload });
  return 'reversed';
}

/**
 * Runs `work` in a transaction holding the lock on the purchase paid by `paymentIntentId`, so
 * refunds and disputes of one payment apply one at a time; then runs the purchase's pending tasks
 * (those `work` enqueued, and any that failed on an earlier event).
 */
async function withPurchaseLocked<T>(
  paymentIntentId: string | null,
  work: (tx: Transaction, purchase: CreditPurchase) => Promise<T>,
): Promise<T | 'unknown_payment'> {
  if (!paymentIntentId) return 'unknown_payment';
  const db = await getDb();
  const result = await db.transaction(async (tx) => {
    const [purchase] = await tx.select().from(creditPurchases).where(eq(creditPurchases.stripePaymentIntentId, paymentIntentId)).for('update');
    return purchase ? { purchaseId: purchase.id, value: await work(tx, purchase) } : null;
  });
  if (!result) return 'unknown_payment';
  await runPaymentTasks({ purchaseId: result.purchaseId });
  return result.value;
}

/** `charge.refunded`: takes back the refunded share of the purchase's credits (see above). */
export async function applyChargeRefund(charge: Pick<Stripe.Charge, 'payment_intent' | 'amount_refunded'>, eventId: string): Promise<ReversalOutcome> {
  return withPurchaseLocked(idOf(charge.payment_intent), async (tx, purchase) => {
    const refunded = Math.max(purchase.amountRefundedMinor, charge.amount_refunded);
    await tx.update(creditPurchases).set({ amountRefundedMinor: refunded }).where(eq(creditPurchases.id, purchase.id));
    return reverseRefundedShare(tx, { ...purchase, amountRefundedMinor: refunded }, 'refund', eventId);
  });
}

/**
 * `charge.dispute.created` / `.updated` / `.closed`: records the dispute and reports a new one to
 * `onCreditsDisputed`. Credits stay until the dispute is lost; then its amount counts as refunded.
 */
export async function recordDispute(
  dispute: Pick<Stripe.Dispute, 'id' | 'payment_intent' | 'amount' | 'reason' | 'status'>,
  eventId: string,
): Promise<ReversalOutcome | 'recorded'> {
  return withPurchaseLocked(idOf(dispute.payment_intent), async (tx, purchase) => {
    await tx
      .insert(creditDisputes)
      .values({ id: dispute.id, purchaseId: purchase.id, amountMinor: dispute.amount, reason: dispute.reason, status: dispute.status })
      .onConflictDoUpdate({ target: creditDisputes.id, set: { status: dispute.status, updatedAt: sql`now()` } });
    const payload: CreditsDisputePayload = {
      userId: purchase.userId,
      purchaseId: purchase.id,
      disputeId: dispute.id,
      amountMinor: dispute.amount,
      currency: purchase.currency,
      reason: dispute.reason,
      status: dispute.status,
    };
    await enqueuePaymentTask(tx, { kind: 'dispute_callback', reference: dispute.id, purchaseId: purchase.id, payload });
    if (dispute.status !== 'lost') return 'recorded';
    const lost = Math.max(purchase.amountDisputeLostMinor, dispute.amount);
    await tx.update(creditPurchases).set({ amountDisputeLostMinor: lost }).where(eq(creditPurchases.id, purchase.id));
    return reverseRefundedShare(tx, { ...purchase, amountDisputeLostMinor: lost }, 'dispute_lost', eventId);
  });
}
