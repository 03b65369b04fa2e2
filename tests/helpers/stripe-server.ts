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

/**
 * A local Stripe-compatible API for creating checkout sessions and reading their payment intents:
 * the real `stripe` SDK is pointed at it through STRIPE_API_BASE, so tests see the exact request the
 * app would send to Stripe. Unknown objects get Stripe's 404 (`resource_missing`).
 */
export async function startStripeServer() {
  const requests: RecordedRequest[] = [];
  let sessions = 0;
  /** Checkout sessions made here, by id, with the metadata their payment intent carries. */
  const paymentIntentMetadata = new Map<string, Record<string, string>>();
  /** Customers made here, by id; and, as Stripe does, one answer per idempotency key. */
  const customers = new Map<string, Record<string, unknown>>();
  const answered = new Map<string, string>();
  /** Invoices tests put here (`invoices.set(id, { hosted_invoice_url })`), served by GET /v1/invoices/:id. */
  const invoices = new Map<string, Record<string, unknown>>();
  /** Milliseconds each answer waits (a slow Stripe), and a status to fail with (a Stripe that is down). */
  const behaviour = { delayMs: 0, failWith: 0 };
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
        res.end(replay);
        return;
      }
      const answer = (object: unknown) => {
        const text = JSON.stringify(object);
        if (req.method === 'POST' && typeof key === 'string') answered.set(`${req.url} ${key}`, text);
        res.end(text);
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
        answer({ id, object: 'checkout.session', url: `https://checkout.stripe.com/c/pay/${id}`, status: 'open', payment_status: 'unpaid' });
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
    requests,
    customers,
    invoices,
    behaviour,
    /** Points the app back at this server (after a test swapped the gateway). */
    restore: () => setPaymentsGateway(gateway),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
