import Stripe from 'stripe';

import { env as appEnv, type Env } from '@/config/env';

/**
 * The payments seam. With `STRIPE_SECRET_KEY` checkout goes to Stripe; without it, to the built-in
 * simulator, which pays by posting a Stripe-shaped, Stripe-signed event to the same webhook route.
 * Both verify webhooks the same way, with the Stripe SDK and `STRIPE_WEBHOOK_SECRET`.
 */
export interface PaymentsGateway {
  kind: 'stripe' | 'simulator';
  /** The real SDK; in simulator mode it is only used to sign and verify webhook payloads. */
  stripe: Stripe;
  webhookSecret: string;
}

export function createPaymentsGateway(env: Env): PaymentsGateway {
  const base = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : null;
  const stripe = new Stripe(env.STRIPE_SECRET_KEY ?? 'sk_test_simulator', {
    maxNetworkRetries: 2,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol.replace(':', '') as 'http' | 'https',
    }),
  });
  return { kind: env.seams.payments, stripe, webhookSecret: env.STRIPE_WEBHOOK_SECRET };
}

const cache = globalThis as unknown as { __paymentsGateway?: PaymentsGateway };

export function getPaymentsGateway(): PaymentsGateway {
  return (cache.__paymentsGateway ??= createPaymentsGateway(appEnv));
}

/** Swaps the seam (tests point the real SDK at a local Stripe-compatible server). */
export function setPaymentsGateway(gateway: PaymentsGateway): void {
  cache.__paymentsGateway = gateway;
}
