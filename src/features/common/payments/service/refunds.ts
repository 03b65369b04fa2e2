import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';

import { purchaseWallet } from '@/features/common/payments/service/fulfilment';
import { ledger, runLedger } from '@/features/common/payments/service/ledger/ledger';
import type { CreditsDisputePayload, CreditsRefundPayload } from '@/features/common/payments/service/payment-callback.service';
import { enqueuePaymentTask, runPaymentTasks } from '@/features/common/payments/service/payment-tasks';
import { getDb, type Transaction } from '@/shared/db/client';
import { creditDisputes, creditPurchases, paymentAdjustments, type CreditPurchase, type PaymentAdjustment } from '@/shared/db/schema';

export type ReversalOutcome = 'reversed' | 'nothing_to_reverse' | 'recorded_before_fulfilment' | 'unknown_payment';

function idOf(value: string | { id: string } | null): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

/**
 * Serialises everything about one payment — its fulfilment, refunds and disputes — for the rest of
 * the transaction, whichever of them arrives first and whether or not the purchase row has learnt
 * its payment intent yet. Stripe does not promise to deliver events in order.
 */
export async function lockPayment(tx: Transaction, paymentIntentId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`credits:payment:${paymentIntentId}`}))`);
}

/**
 * Brings the credits taken back from a purchase up to the share of its payment given back: refunds
 * plus lost disputes, capped at what was paid. So a second partial refund takes only the difference,
 * a repeated event nothing, and a refund plus a lost dispute of the same money no more than all of it.
 * Runs inside the caller's transaction, under `lockPayment`.
 */
export async function reverseRefundedShare(
  tx: Transaction,
  purchase: CreditPurchase,
  adjustment: PaymentAdjustment,
  eventId: string,
): Promise<'reversed' | 'nothing_to_reverse'> {
  const paid = purchase.amountPaidMinor ?? purchase.amountMinor;
  const givenBack = Math.min(paid, adjustment.amountRefundedMinor + adjustment.amountDisputeLostMinor);
  // Integer share of the credits, rounded down: BigInt keeps credits × amount exact.
  const target = Number((BigInt(purchase.credits) * BigInt(givenBack)) / BigInt(paid));
  const credits = target - purchase.creditsReversed;
  if (credits <= 0) return 'nothing_to_reverse';

  const cause: CreditsRefundPayload['cause'] = adjustment.amountDisputeLostMinor > 0 ? 'dispute_lost' : 'refund';
  const reversed = await runLedger(
    tx,
    ledger.reverse(
      purchaseWallet(purchase),
      credits,
      {
        reason: cause === 'refund' ? 'Refund' : 'Dispute lost',
        actorType: 'stripe',
        metadata: { purchaseId: purchase.id, cause, creditsReversed: credits, amountGivenBackMinor: givenBack },
      },
      {
        purchaseId: purchase.id,
        stripeCheckoutSessionId: purchase.stripeCheckoutSessionId,
        stripePaymentIntentId: adjustment.paymentIntentId,
        stripeEventId: eventId,
      },
    ),
  );
  if (reversed.status !== 'ok') throw new Error(`Reversing purchase ${purchase.id} answered ${reversed.status}`);
  await tx.update(creditPurchases).set({ creditsReversed: target, updatedAt: new Date() }).where(eq(creditPurchases.id, purchase.id));
  const payload: CreditsRefundPayload = {
    userId: purchase.userId,
    organizationId: purchaseWallet(purchase).organizationId,
    purchaseId: purchase.id,
    cause,
    creditsReversed: credits,
    creditsShortfall: credits - Math.abs(reversed.entry!.purchasedDelta),
    amountRefundedMinor: givenBack,
    currency: purchase.currency,
  };
  await enqueuePaymentTask(tx, { kind: 'refund_callback', reference: `refund:${reversed.entry!.id}`, purchaseId: purchase.id, payload });
  return 'reversed';
}

/** The money given back on a payment so far, or null. */
export async function findAdjustment(tx: Transaction, paymentIntentId: string): Promise<PaymentAdjustment | null> {
  const [row] = await tx.select().from(paymentAdjustments).where(eq(paymentAdjustments.paymentIntentId, paymentIntentId));
  return row ?? null;
}

/**
 * Records money given back on a payment (amounts only ever grow: Stripe's are cumulative) and, when
 * the purchase is already fulfilled, takes back its share of credits. `alsoRecord` runs first with
 * the locked purchase (a dispute's own row). Afterwards the purchase's pending tasks run.
 */
async function applyGivenBack(
  paymentIntentId: string | null,
  amounts: { refundedMinor?: number; disputeLostMinor?: number },
  eventId: string,
  alsoRecord?: (tx: Transaction, purchase: CreditPurchase) => Promise<void>,
): Promise<ReversalOutcome> {
  if (!paymentIntentId) return 'unknown_payment';
  const db = await getDb();
  const result = await db.transaction(async (tx) => {
    await lockPayment(tx, paymentIntentId);
    const refunded = amounts.refundedMinor ?? 0;
    const lost = amounts.disputeLostMinor ?? 0;
    const [adjustment] = await tx
      .insert(paymentAdjustments)
      .values({ paymentIntentId, amountRefundedMinor: refunded, amountDisputeLostMinor: lost })
      .onConflictDoUpdate({
        target: paymentAdjustments.paymentIntentId,
        set: {
          amountRefundedMinor: sql`greatest(${paymentAdjustments.amountRefundedMinor}, ${refunded})`,
          amountDisputeLostMinor: sql`greatest(${paymentAdjustments.amountDisputeLostMinor}, ${lost})`,
          updatedAt: sql`now()`,
        },
      })
      .returning();
    const [purchase] = await tx.select().from(creditPurchases).where(eq(creditPurchases.stripePaymentIntentId, paymentIntentId)).for('update');
    if (!purchase) return { outcome: 'recorded_before_fulfilment' as const };
    await alsoRecord?.(tx, purchase);
    return { outcome: await reverseRefundedShare(tx, purchase, adjustment!, eventId), purchaseId: purchase.id };
  });
  if (result.purchaseId) await runPaymentTasks({ purchaseId: result.purchaseId });
  return result.outcome;
}

/** `charge.refunded`: records the charge's cumulative refund and takes back that share of credits. */
export function applyChargeRefund(charge: Pick<Stripe.Charge, 'payment_intent' | 'amount_refunded'>, eventId: string): Promise<ReversalOutcome> {
  return applyGivenBack(idOf(charge.payment_intent), { refundedMinor: charge.amount_refunded }, eventId);
}

/**
 * `charge.dispute.created` / `.updated` / `.closed`: records the dispute and reports it to
 * `onCreditsDisputed` (once per dispute). Credits stay until it is lost; then its amount counts as
 * given back, like a refund.
 */
export function recordDispute(
  dispute: Pick<Stripe.Dispute, 'id' | 'payment_intent' | 'amount' | 'reason' | 'status'>,
  eventId: string,
): Promise<ReversalOutcome> {
  const lost = dispute.status === 'lost' ? dispute.amount : 0;
  return applyGivenBack(idOf(dispute.payment_intent), { disputeLostMinor: lost }, eventId, async (tx, purchase) => {
    // A dispute's status only moves forward to a closed state; a late `created` must not reopen it.
    await tx
      .insert(creditDisputes)
      .values({ id: dispute.id, purchaseId: purchase.id, amountMinor: dispute.amount, reason: dispute.reason, status: dispute.status })
      .onConflictDoUpdate({
        target: creditDisputes.id,
        set: { status: dispute.status, updatedAt: sql`now()` },
        setWhere: sql`${creditDisputes.status} not in ('won', 'lost')`,
      });
    const payload: CreditsDisputePayload = {
      userId: purchase.userId,
      organizationId: purchaseWallet(purchase).organizationId,
      purchaseId: purchase.id,
      disputeId: dispute.id,
      amountMinor: dispute.amount,
      currency: purchase.currency,
      reason: dispute.reason,
      status: dispute.status,
    };
    await enqueuePaymentTask(tx, { kind: 'dispute_callback', reference: dispute.id, purchaseId: purchase.id, payload });
  });
}
