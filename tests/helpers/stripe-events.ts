import { readFileSync } from 'node:fs';
import path from 'node:path';

import Stripe from 'stripe';

import { POST } from '@/app/api/webhooks/stripe/route';
import { createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { createUser } from './factories';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'stripe');
const stripe = new Stripe('sk_test_fixtures');
let counter = 0;
const startedAt = Math.floor(Date.now() / 1000);

/**
 * A real-shaped event from tests/fixtures/stripe (see its README), with a fresh id, `object` fields
 * overridden, and a `created` one second after the previous event's: events are created in the order
 * a test makes them, whatever order it delivers them in.
 */
export function fixtureEvent(file: string, object: Record<string, unknown> = {}): Record<string, unknown> {
  const event = JSON.parse(readFileSync(path.join(fixtures, file), 'utf8'));
  delete event._derived_note;
  counter += 1;
  event.id = `evt_test_${Date.now()}_${counter}`;
  event.created = startedAt + counter;
  event.data.object = { ...event.data.object, ...object };
  return event;
}

/** Sends `event` to the webhook as Stripe does: raw JSON body, signed with `secret`. */
export function deliver(event: unknown, options: { secret?: string; timestamp?: number; body?: string } = {}) {
  const payload = options.body ?? JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({
    payload: JSON.stringify(event),
    secret: options.secret ?? 'whsec_test_local',
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return POST(
    new Request('http://localhost:3000/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    }),
  );
}

/**
 * A user with a pending Starter Pack purchase (1000 credits for $10.00) made against the local Stripe
 * server, and the events Stripe would send for it. Its payment intent is `pi_test_<session id>`.
 */
export async function pendingPurchase() {
  const user = await createUser({ email: `buyer-${Math.random().toString(36).slice(2)}@example.com` });
  const session = await createCreditsCheckoutSession(
    { userId: user.id, packageId: 'starter' },
    { successUrl: 'http://localhost:3000/?billing=success', cancelUrl: 'http://localhost:3000/?billing=cancel' },
  );
  const paymentIntent = `pi_test_${session.id}`;
  const sessionFields = {
    id: session.id,
    payment_intent: paymentIntent,
    amount_total: 1000,
    amount_subtotal: 1000,
    currency: 'usd',
    client_reference_id: user.id,
  };
  return {
    user,
    session,
    paymentIntent,
    completed: (fields: object = {}) => fixtureEvent('checkout.session.completed.json', { ...sessionFields, ...fields }),
    event: (file: string, fields: object = {}) => fixtureEvent(file, { ...sessionFields, ...fields }),
    refunded: (amountRefunded: number) =>
      fixtureEvent('charge.refunded.json', { payment_intent: paymentIntent, amount: 1000, amount_refunded: amountRefunded }),
    /** `charge.refund.updated` for a refund of this payment that failed. */
    refundFailed: (refundId: string, amount: number) => ({
      ...fixtureEvent('refund.created.json', { id: refundId, payment_intent: paymentIntent, amount, status: 'failed' }),
      type: 'charge.refund.updated',
    }),
    dispute: (status: string, id = `dp_${session.id}`) =>
      fixtureEvent('charge.dispute.created.json', { id, payment_intent: paymentIntent, amount: 1000, status }),
  };
}

/** `payment_intent.succeeded` for an automatic top-up's charge (the Starter Pack's $10.00 unless said). */
export function paymentIntentSucceeded(id: string, purchaseId: string, amount = 1000) {
  return {
    ...fixtureEvent('checkout.session.completed.json'),
    type: 'payment_intent.succeeded',
    data: { object: { id, object: 'payment_intent', status: 'succeeded', amount, amount_received: amount, currency: 'usd', metadata: { purchaseId } } },
  };
}
