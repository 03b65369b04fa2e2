import { failAutoTopUp, forgetRemovedCard, fulfilAutoTopUp, saveCardFromSetupIntent } from '@/features/common/payments/service/auto-top-up/charge';
import { fulfillCheckoutSession, markPurchase } from '@/features/common/payments/service/fulfilment';
import { runNow, type AfterCommit } from '@/features/common/payments/service/jobs/jobs';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { applyChargeRefund, applyRefundFailure, recordDispute } from '@/features/common/payments/service/refunds';
import {
  chargeSchema,
  checkoutSessionSchema,
  disputeSchema,
  eventEnvelopeSchema,
  eventObject,
  MalformedEventError,
  paymentIntentSchema,
  paymentMethodSchema,
  refundSchema,
  setupIntentSchema,
  type EventEnvelope,
} from '@/features/common/payments/service/stripe-event-schemas';
import { isDatabaseUnavailable } from '@/shared/db/database-unavailable';
import { BodyTooLargeError, readBodyWithin } from '@/shared/lib/read-body';

/** Stripe's events are a few kilobytes; nothing larger is read, signed or not. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Handles one verified event; returns what happened, for the response and the logs. */
async function dispatch(event: EventEnvelope, afterCommit: AfterCommit): Promise<string> {
  const source = { eventId: event.id, at: new Date(event.created * 1000) };
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = eventObject(event, checkoutSessionSchema);
      if (session.mode !== 'payment') return 'ignored';
      // Delayed methods (SEPA, ACH …) complete unpaid; async_payment_succeeded follows when they clear.
      // Only money received buys credits: `no_payment_required` does not.
      if (session.payment_status !== 'paid') return 'awaiting_payment';
      return fulfillCheckoutSession(session, event.id, afterCommit);
    }
    case 'checkout.session.async_payment_failed':
      return (await markPurchase(eventObject(event, checkoutSessionSchema).id, 'failed')) ? 'marked_failed' : 'unchanged';
    case 'checkout.session.expired':
      return (await markPurchase(eventObject(event, checkoutSessionSchema).id, 'expired')) ? 'marked_expired' : 'unchanged';
    case 'charge.refunded':
      return applyChargeRefund(eventObject(event, chargeSchema), source);
    case 'charge.refund.updated':
    case 'refund.updated':
    case 'refund.failed': {
      const refund = eventObject(event, refundSchema);
      return refund.status === 'failed' ? applyRefundFailure(refund, source) : 'ignored';
    }
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
      return recordDispute(eventObject(event, disputeSchema), source);
    // Auto top-up: its off-session charges, and the cards it charges.
    case 'payment_intent.succeeded':
      return fulfilAutoTopUp(eventObject(event, paymentIntentSchema), event.id, afterCommit);
    case 'payment_intent.payment_failed':
      return failAutoTopUp(eventObject(event, paymentIntentSchema));
    case 'setup_intent.succeeded':
      return saveCardFromSetupIntent(eventObject(event, setupIntentSchema), source);
    case 'payment_method.detached':
      return forgetRemovedCard(eventObject(event, paymentMethodSchema));
    default:
      return 'ignored';
  }
}

/**
 * The Stripe webhook: checks for a signature header before reading anything, reads at most 1 MiB
 * (413 beyond), verifies the signature over the raw bytes (parsing first would change them), checks
 * the event's shape, then handles it. 400 for a missing or bad signature or a malformed event, with
 * nothing written; 200 for events handled or not ours to handle; 500 when handling failed (the
 * database unavailable included: `DATABASE_UNAVAILABLE`), so Stripe delivers again — every handler is idempotent, so a retry is safe.
 * A 200 means the change committed; the receipt and callbacks it queued run per `afterCommit`
 * (default: before answering; the route runs them after the response).
 */
export async function handleStripeWebhook(request: Request, options: { afterCommit?: AfterCommit } = {}): Promise<Response> {
  const signature = request.headers.get('stripe-signature');
  if (!signature) {
    await request.body?.cancel().catch(() => {});
    return Response.json({ error: 'Missing Stripe-Signature header' }, { status: 400 });
  }
  let payload: Buffer;
  try {
    payload = await readBodyWithin(request, MAX_WEBHOOK_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return Response.json({ error: error.message }, { status: 413 });
    throw error;
  }

  const { stripe, webhookSecret } = getPaymentsGateway();
  let verified: unknown;
  try {
    verified = stripe.webhooks.constructEvent(payload, signature, webhookSecret);
  } catch (error) {
    return Response.json({ error: `Invalid signature: ${error instanceof Error ? error.message : 'verification failed'}` }, { status: 400 });
  }

  let event: EventEnvelope | undefined;
  try {
    const envelope = eventEnvelopeSchema.safeParse(verified);
    if (!envelope.success)
      throw new MalformedEventError(
        String((verified as { id?: unknown })?.id ?? 'without an id'),
        envelope.error.issues.map((i) => `${i.path.join('.')} ${i.message}`),
      );
    event = envelope.data;
    const outcome = await dispatch(event, options.afterCommit ?? runNow);
    return Response.json({ received: true, type: event.type, outcome });
  } catch (error) {
    if (error instanceof MalformedEventError) {
      // Signed by Stripe's secret but not of the shape we handle: a retry would not change it.
      console.warn(`[payments] ${error.message}; answered 400, nothing written`);
      return Response.json({ error: error.message }, { status: 400 });
    }
    if (isDatabaseUnavailable(error)) {
      // Retryable: every handler is idempotent and the statement that failed committed nothing.
      console.warn(`[payments] ${event?.type} ${event?.id}: database unavailable; answered 500, Stripe will retry`);
      return Response.json({ error: 'Database unavailable; retry later', code: 'DATABASE_UNAVAILABLE' }, { status: 500 });
    }
    console.error(`[payments] ${event?.type} ${event?.id} failed; Stripe will retry`, error);
    return Response.json({ error: 'Webhook handling failed' }, { status: 500 });
  }
}
