import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import Stripe from 'stripe';

import { parseEnv } from '@/config/env';
import { createPaymentsGateway, setPaymentsGateway } from '@/features/common/payments/service/payments-gateway';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The form-encoded body as Stripe's SDK sends it: `line_items[0][price]` → value. */
  form: Record<string, string>;
}

/** Stripe's test payment methods, and what an off-session charge of each does. */
export const TEST_PAYMENT_METHODS: Record<string, { last4: string; outcome: 'succeeded' | 'card_declined' | 'authentication_required' }> = {
  pm_card_visa: { last4: '4242', outcome: 'succeeded' },
  pm_card_chargeDeclined: { last4: '0002', outcome: 'card_declined' },
  pm_card_authenticationRequired: { last4: '3184', outcome: 'authentication_required' },
};

/**
 * A local Stripe-compatible API for creating checkout sessions and reading their payment intents:
 * the real `stripe` SDK is pointed at it through STRIPE_API_BASE, so tests see the exact request the
 * app would send to Stripe. Unknown objects get Stripe's 404 (`resource_missing`).
 */
export async function startStripeServer() {
  const requests: RecordedRequest[] = [];
  let sessions = 0;
  let paymentIntentCount = 0;
  /** Checkout sessions made here, by id, with the metadata their payment intent carries. */
  const paymentIntentMetadata = new Map<string, Record<string, string>>();
  /** Customers made here, by id; and, as Stripe does, one answer per idempotency key. */
  const customers = new Map<string, Record<string, unknown>>();
  const answered = new Map<string, { status: number; text: string }>();
  /** Invoices tests put here (`invoices.set(id, { hosted_invoice_url })`), served by GET /v1/invoices/:id. */
  const invoices = new Map<string, Record<string, unknown>>();
  /**
   * Milliseconds each request waits before Stripe acts on it (a slow Stripe), milliseconds an answer
   * is held after Stripe acted (the charge made, the answer lost on the way), and a status to fail
   * with (a Stripe that is down).
   */
  const behaviour = { delayMs: 0, holdAnswerMs: 0, failWith: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, form });
      res.setHeader('content-type', 'application/json');
      if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (behaviour.failWith) {
        res.statusCode = behaviour.failWith;
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'Stripe is having a bad day' } }));
        return;
      }
      const key = req.headers['idempotency-key'];
      const replay = typeof key === 'string' ? answered.get(`${req.url} ${key}`) : undefined;
      if (req.method === 'POST' && replay) {
        // As Stripe does: the first answer to a key, status and all, with Idempotent-Replayed set.
        res.statusCode = replay.status;
        res.setHeader('idempotent-replayed', 'true');
        res.end(replay.text);
        return;
      }
      const answer = (object: unknown) => {
        const text = JSON.stringify(object);
        if (req.method === 'POST' && typeof key === 'string') answered.set(`${req.url} ${key}`, { status: res.statusCode, text });
        if (behaviour.holdAnswerMs) setTimeout(() => res.end(text), behaviour.holdAnswerMs).unref();
        else res.end(text);
      };
      if (req.method === 'POST' && req.url === '/v1/customers') {
        const id = `cus_test_local${customers.size + 1}`;
        const customer = { id, object: 'customer', email: form.email ?? null, name: form.name ?? null, metadata: { walletId: form['metadata[walletId]'] } };
        customers.set(id, customer);
        answer(customer);
        return;
      }
      const invoice = /^\/v1\/invoices\/([A-Za-z0-9_]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && invoice && invoices.has(invoice[1]!)) {
        res.end(JSON.stringify({ id: invoice[1], object: 'invoice', ...invoices.get(invoice[1]!) }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        const id = `cs_test_local${++sessions}`;
        const metadata = Object.fromEntries(
          Object.entries(form)
            .filter(([key]) => key.startsWith('payment_intent_data[metadata]['))
            .map(([key, value]) => [key.slice('payment_intent_data[metadata]['.length, -1), value]),
        );
        // Tests name a session's payment intent `pi_test_<session id>`.
        paymentIntentMetadata.set(`pi_test_${id}`, metadata);
        answer({
          id,
          object: 'checkout.session',
          mode: form.mode ?? 'payment',
          url: `https://checkout.stripe.com/c/pay/${id}`,
          status: 'open',
          payment_status: 'unpaid',
        });
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/billing_portal/sessions') {
        const id = `bps_test_local${requests.length}`;
        answer({
          id,
          object: 'billing_portal.session',
          customer: form.customer,
          return_url: form.return_url,
          url: `https://billing.stripe.com/p/session/${id}`,
        });
        return;
      }
      const method = /^\/v1\/payment_methods\/([A-Za-z0-9_]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && method) {
        const card = TEST_PAYMENT_METHODS[method[1]!];
        if (card) {
          res.end(
            JSON.stringify({
              id: method[1],
              object: 'payment_method',
              type: 'card',
              card: { brand: 'visa', last4: card.last4, exp_month: 12, exp_year: 2034 },
            }),
          );
          return;
        }
      }
      if (req.method === 'POST' && req.url === '/v1/payment_intents') {
        // Off-session charges of saved cards, answered as Stripe answers for its test payment methods.
        const id = `pi_test_auto${++paymentIntentCount}`;
        const card = TEST_PAYMENT_METHODS[form.payment_method ?? ''];
        const metadata = Object.fromEntries(
          Object.entries(form)
            .filter(([key]) => key.startsWith('metadata['))
            .map(([key, value]) => [key.slice('metadata['.length, -1), value]),
        );
        paymentIntentMetadata.set(id, metadata);
        const intent = {
          id,
          object: 'payment_intent',
          amount: Number(form.amount),
          currency: form.currency,
          customer: form.customer,
          payment_method: form.payment_method,
          metadata,
        };
        if (!card) {
          res.statusCode = 400;
          answer({
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'payment_method',
              message: `No such PaymentMethod: '${form.payment_method}'`,
            },
          });
          return;
        }
        if (card.outcome === 'succeeded') {
          answer({ ...intent, status: 'succeeded', amount_received: Number(form.amount) });
          return;
        }
        res.statusCode = 402;
        answer({
          error: {
            type: 'card_error',
            code: card.outcome,
            ...(card.outcome === 'card_declined' && { decline_code: 'generic_decline' }),
            message: card.outcome === 'card_declined' ? 'Your card was declined.' : 'This payment requires authentication.',
            payment_intent: { ...intent, status: 'requires_payment_method' },
          },
        });
        return;
      }
      const intent = /^\/v1\/payment_intents\/([A-Za-z0-9_]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && intent && paymentIntentMetadata.has(intent[1]!)) {
        res.end(JSON.stringify({ id: intent[1], object: 'payment_intent', status: 'succeeded', metadata: paymentIntentMetadata.get(intent[1]!) }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const env = parseEnv({
    NODE_ENV: 'test',
    STRIPE_SECRET_KEY: 'sk_test_local',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_local',
    STRIPE_API_BASE: `http://127.0.0.1:${port}`,
  });
  const gateway = createPaymentsGateway(env);
  // No network retries here: a test of a slow or failing Stripe sees the first answer.
  gateway.stripe = new Stripe('sk_test_local', { maxNetworkRetries: 0, host: '127.0.0.1', port, protocol: 'http' });
  setPaymentsGateway(gateway);
  return {
    /** Where it listens: STRIPE_API_BASE for another process (a script the test starts). */
    url: `http://127.0.0.1:${port}`,
    requests,
    customers,
    invoices,
    behaviour,
    /** Points the app back at this server (after a test swapped the gateway). */
    restore: () => setPaymentsGateway(gateway),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
