import { and, eq, ne } from 'drizzle-orm';
import type Stripe from 'stripe';

import { findCreditPackage, purchaseItemName } from '@/features/common/payments/credit-packages';
import { SYSTEM_KEY_PREFIX } from '@/features/common/payments/service/credits-input.schema';
import { ledger, runLedger, type WalletRef } from '@/features/common/payments/service/ledger/ledger';
import type { CreditsTopUpPayload } from '@/features/common/payments/service/payment-callback.service';
import { enqueuePaymentTask, runPaymentTasks } from '@/features/common/payments/service/payment-tasks';
import { findAdjustment, lockPayment, reverseRefundedShare } from '@/features/common/payments/service/refunds';
import { getDb } from '@/shared/db/client';
import { creditPurchases, users, type CreditPurchase, type CreditPurchaseStatus } from '@/shared/db/schema';
import { formatMoney } from '@/shared/lib/money';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The wallet a purchase credits: the buyer's own, or the organisation's it was bought for. */
export function purchaseWallet(purchase: Pick<CreditPurchase, 'walletId' | 'userId'>): WalletRef {
  const organizationId = purchase.walletId.startsWith('org:') ? purchase.walletId.slice('org:'.length) : null;
  return { walletId: purchase.walletId, userId: purchase.userId, organizationId, memberId: null };
}

/** When a pack's credits lapse: `expiresAfterDays` after fulfilment, or never. */
function purchaseExpiry(packageId: string | null): Date | null {
  const days = packageId ? findCreditPackage(packageId)?.expiresAfterDays : undefined;
  return days ? new Date(Date.now() + days * DAY_MS) : null;
}

export type FulfilmentOutcome = 'fulfilled' | 'already_fulfilled' | 'unknown_session';

function paymentIntentId(session: Pick<Stripe.Checkout.Session, 'payment_intent'>): string | null {
  const pi = session.payment_intent;
  return typeof pi === 'string' ? pi : (pi?.id ?? null);
}

/**
 * Credits the purchase behind a paid checkout session, exactly once. The purchase's change to
 * `paid` is a conditional update that only one delivery can win (a concurrent one waits for the row
 * and then finds it paid); the credit, its ledger entry (keyed by the session) and the side-effect
 * tasks commit in the same transaction. The credits and amount come from the purchase row recorded
 * at checkout, not from the event. After commit the receipt and callback run; a duplicate delivery
 * retries any that failed before.
 */
export async function fulfillCheckoutSession(
  session: Pick<Stripe.Checkout.Session, 'id' | 'payment_intent' | 'amount_total' | 'currency'>,
  eventId: string,
): Promise<FulfilmentOutcome> {
  const db = await getDb();
  const paymentIntent = paymentIntentId(session);
  const outcome = await db.transaction(async (tx): Promise<{ outcome: FulfilmentOutcome; purchaseId?: string }> => {
    if (paymentIntent) await lockPayment(tx, paymentIntent);
    const [purchase] = await tx
      .update(creditPurchases)
      .set({
        status: 'paid',
        fulfilledAt: new Date(),
        updatedAt: new Date(),
        stripePaymentIntentId: paymentIntent,
        amountPaidMinor: session.amount_total ?? null,
      })
      .where(and(eq(creditPurchases.stripeCheckoutSessionId, session.id), ne(creditPurchases.status, 'paid')))
      .returning();
    if (!purchase) {
      const [known] = await tx.select({ id: creditPurchases.id }).from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, session.id));
      return known ? { outcome: 'already_fulfilled', purchaseId: known.id } : { outcome: 'unknown_session' };
    }

    const credited = await runLedger(
      tx,
      ledger.add(
        purchaseWallet(purchase),
        { type: 'purchase', bucket: 'purchased', source: 'purchase', credits: purchase.credits, expiresAt: purchaseExpiry(purchase.packageId) },
        {
          reason: `Purchase: ${purchaseItemName(purchase)}`,
          actorType: 'stripe',
          idempotencyKey: `${SYSTEM_KEY_PREFIX}checkout:${session.id}`,
          metadata: {
            purchaseId: purchase.id,
            packageId: purchase.packageId,
            amountMinor: purchase.amountMinor,
            currency: purchase.currency,
            buyerUserId: purchase.userId,
          },
        },
        { purchaseId: purchase.id, stripeCheckoutSessionId: session.id, stripePaymentIntentId: purchase.stripePaymentIntentId, stripeEventId: eventId },
      ),
    );
    if (credited.status !== 'ok') throw new Error(`Crediting purchase ${purchase.id} answered ${credited.status}`);
    if (session.amount_total !== purchase.amountMinor || session.currency !== purchase.currency) {
      // The package's Stripe price disagrees with src/config/app.ts (or a discount applied): the
      // credits stay as the purchase recorded them; refunds are shared against what was paid.
      console.warn(
        `[payments] checkout ${session.id} charged ${session.amount_total} ${session.currency}, purchase ${purchase.id} expected ${purchase.amountMinor} ${purchase.currency}`,
      );
    }
    // A refund or lost dispute that arrived before this fulfilment was recorded; apply it now.
    const adjustment = paymentIntent ? await findAdjustment(tx, paymentIntent) : null;
    if (adjustment) await reverseRefundedShare(tx, purchase, adjustment, eventId);

    const [user] = purchase.userId ? await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, purchase.userId)) : [];
    const payload: CreditsTopUpPayload = {
      userId: purchase.userId,
      organizationId: purchaseWallet(purchase).organizationId,
      email: user?.email ?? null,
      name: user?.name ?? null,
      creditsAdded: purchase.credits,
      amountText: formatMoney(purchase.amountMinor, purchase.currency),
      amountMinor: purchase.amountMinor,
      currency: purchase.currency,
      packageId: purchase.packageId,
      purchaseId: purchase.id,
      checkoutSessionId: session.id,
      creditsBalance: credited.available!,
    };
    await enqueuePaymentTask(tx, { kind: 'top_up_callback', reference: purchase.id, purchaseId: purchase.id, payload });
    await enqueuePaymentTask(tx, { kind: 'top_up_receipt', reference: purchase.id, purchaseId: purchase.id, payload });
    return { outcome: 'fulfilled', purchaseId: purchase.id };
  });

  if (outcome.purchaseId) await runPaymentTasks({ purchaseId: outcome.purchaseId });
  return outcome.outcome;
}

/**
 * Marks a still-pending purchase as failed (a delayed payment method was declined) or expired (the
 * session timed out unpaid). A purchase already paid is left alone, whatever order events arrive in.
 */
export async function markPurchase(sessionId: string, status: Extract<CreditPurchaseStatus, 'failed' | 'expired'>): Promise<boolean> {
  const db = await getDb();
  const updated = await db
    .update(creditPurchases)
    .set({ status, updatedAt: new Date() })
    .where(and(eq(creditPurchases.stripeCheckoutSessionId, sessionId), eq(creditPurchases.status, 'pending')))
    .returning({ id: creditPurchases.id });
  return updated.length > 0;
}
