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
 * A local Stripe-compatible API for the checkout endpoint: the real `stripe` SDK is pointed at it
 * through STRIPE_API_BASE, so tests see the exact request the app would send to Stripe.
 */
export async function startStripeServer() {
  const requests: RecordedRequest[] = [];
  let sessions = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, form });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        const id = `cs_test_local${++sessions}`;
        res.end(JSON.stringify({ id, object: 'checkout.session', url: `https://checkout.stripe.com/c/pay/${id}`, status: 'open', payment_status: 'unpaid' }));
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
