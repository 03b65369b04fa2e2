import { randomBytes } from 'node:crypto';

import { and, eq } from 'drizzle-orm';

import { env } from '@/config/env';
import { purchaseItemName } from '@/features/common/payments/credit-packages';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { getDb } from '@/shared/db/client';
import { creditPurchases, users, type CreditPurchase } from '@/shared/db/schema';

/*
 * The payments seam's embedded default: a local stand-in for Stripe Checkout. Paying builds the
 * event Stripe would send, signs it with the webhook secret exactly as Stripe does, and hands the
 * signed request to the webhook route's handler — in-process, so no request header can point it
 * elsewhere — so everything after the payment provider (signature check, fulfilment, ledger,
 * callbacks, receipt) is the code that runs in production.
 */

const SIMULATED_SESSION_ID = /^cs_sim_[0-9a-f]{32}$/;

export interface SimulatedCheckout {
  purchase: CreditPurchase;
  itemName: string;
}

/** The checkout `sessionId` of `userId`, or null when the simulator is off or it is not theirs. */
export async function getSimulatedCheckout(sessionId: string, userId: string): Promise<SimulatedCheckout | null> {
  if (getPaymentsGateway().kind !== 'simulator') return null;
  // The simulator's own ids only (`cs_sim_` and a purchase id's hex): anything else is not one, and never reaches a query.
  if (typeof sessionId !== 'string' || !SIMULATED_SESSION_ID.test(sessionId) || typeof userId !== 'string') return null;
  const db = await getDb();
  const [purchase] = await db
    .select()
    .from(creditPurchases)
    .where(and(eq(creditPurchases.stripeCheckoutSessionId, sessionId), eq(creditPurchases.userId, userId)));
  if (!purchase) return null;
  return { purchase, itemName: purchaseItemName(purchase) };
}

/** A `checkout.session.completed` event for a paid purchase, shaped as Stripe sends it. */
export function buildCheckoutCompletedEvent(purchase: CreditPurchase, customerEmail: string | null) {
  const sessionId = purchase.stripeCheckoutSessionId!;
  const metadata = { purchaseId: purchase.id, userId: purchase.userId, packageId: purchase.packageId ?? '', credits: String(purchase.credits) };
  return {
    id: `evt_sim_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: getPaymentsGateway().stripe.getApiField('version'),
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        amount_subtotal: purchase.amountMinor,
        amount_total: purchase.amountMinor,
        cancel_url: purchase.cancelUrl,
        client_reference_id: purchase.userId,
        currency: purchase.currency,
        customer_details: { email: customerEmail },
        customer_email: customerEmail,
        livemode: false,
        metadata,
        mode: 'payment',
        payment_intent: `pi_sim_${purchase.id.replaceAll('-', '')}`,
        payment_status: 'paid',
        status: 'complete',
        success_url: purchase.successUrl,
        url: null,
      },
    },
  };
}

export class SimulatedPaymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedPaymentError';
  }
}

/**
 * Pays a simulated checkout: delivers the signed event to the webhook handler and returns the
 * success URL to send the buyer to. Throws when the webhook refuses the event.
 */
export async function paySimulatedCheckout(sessionId: string, userId: string): Promise<string> {
  const checkout = await getSimulatedCheckout(sessionId, userId);
  if (!checkout) throw new SimulatedPaymentError(`No simulated checkout ${JSON.stringify(String(sessionId).slice(0, 100))} for this user`);
  const db = await getDb();
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  const payload = JSON.stringify(buildCheckoutCompletedEvent(checkout.purchase, user?.email ?? null));
  const { stripe, webhookSecret } = getPaymentsGateway();
  const response = await handleStripeWebhook(
    new Request(new URL('/api/webhooks/stripe', env.APP_URL), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }) },
      body: payload,
    }),
  );
  if (!response.ok) throw new SimulatedPaymentError(`The webhook answered ${response.status}: ${await response.text()}`);
  return checkout.purchase.successUrl;
}
