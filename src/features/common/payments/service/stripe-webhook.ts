import type Stripe from 'stripe';

import { fulfillCheckoutSession, markPurchase } from '@/features/common/payments/service/fulfilment';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { applyChargeRefund, recordDispute } from '@/features/common/payments/service/refunds';

/** Handles one verified event; returns what happened, for the response and the logs. */
async function dispatch(event: Stripe.Event): Promise<string> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object;
      // Delayed methods (SEPA, ACH …) complete unpaid; async_payment_succeeded follows when they clear.
      // Only money received buys credits: `no_payment_required` does not.
      if (session.payment_status !== 'paid') return 'awaiting_payment';
      return fulfillCheckoutSession(session, event.id);
    }
    case 'checkout.session.async_payment_failed':
      return (await markPurchase(event.data.object.id, 'failed')) ? 'marked_failed' : 'unchanged';
    case 'checkout.session.expired':
      return (await markPurchase(event.data.object.id, 'expired')) ? 'marked_expired' : 'unchanged';
    case 'charge.refunded':
      return applyChargeRefund(event.data.object, event.id);
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
      return recordDispute(event.data.object, event.id);
    default:
      return 'ignored';
  }
}

/**
 * The Stripe webhook: verifies the signature over the raw body (parsing it first would change the
 * bytes and break the signature), then handles the event. 400 for a missing or bad signature, with
 * nothing written; 200 for events handled or not ours to handle; 500 when handling failed, so Stripe
 * delivers again — every handler is idempotent, so a retry is safe.
 */
export async function handleStripeWebhook(request: Request): Promise<Response> {
  const signature = request.headers.get('stripe-signature');
  const payload = await request.text();
  if (!signature) return Response.json({ error: 'Missing Stripe-Signature header' }, { status: 400 });

  const { stripe, webhookSecret } = getPaymentsGateway();
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(payload, signature, webhookSecret);
  } catch (error) {
    return Response.json({ error: `Invalid signature: ${error instanceof Error ? error.message : 'verification failed'}` }, { status: 400 });
  }

  try {
    const outcome = await dispatch(event);
    return Response.json({ received: true, type: event.type, outcome });
  } catch (error) {
    console.error(`[payments] ${event.type} ${event.id} failed; Stripe will retry`, error);
    return Response.json({ error: 'Webhook handling failed' }, { status: 500 });
  }
}
