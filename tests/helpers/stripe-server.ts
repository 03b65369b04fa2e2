import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, form });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        const id = `cs_test_local${++sessions}`;
        const metadata = Object.fromEntries(
          Object.entries(form)
            .filter(([key]) => key.startsWith('payment_intent_data[metadata]['))
            .map(([key, value]) => [key.slice('payment_intent_data[metadata]['.length, -1), value]),
        );
        // Tests name a session's payment intent `pi_test_<session id>`.
        paymentIntentMetadata.set(`pi_test_${id}`, metadata);
        res.end(JSON.stringify({ id, object: 'checkout.session', url: `https://checkout.stripe.com/c/pay/${id}`, status: 'open', payment_status: 'unpaid' }));
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
  setPaymentsGateway(gateway);
  return {
    requests,
    /** Points the app back at this server (after a test swapped the gateway). */
    restore: () => setPaymentsGateway(gateway),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
