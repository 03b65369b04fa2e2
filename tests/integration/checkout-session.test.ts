import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import Stripe from 'stripe';

import { appConfig } from '@/config/app';
import { InvalidReturnUrlError } from '@/features/common/payments/service/credits-errors';
import { setPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { ensureWalletCustomer } from '@/features/common/payments/service/stripe-customer';
import { getDb } from '@/shared/db/client';
import { creditPurchases } from '@/shared/db/schema';
import { createUser } from '../helpers/factories';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

const urls = {
  successUrl: 'http://localhost:3000/dashboard?billing=success',
  cancelUrl: 'http://localhost:3000/dashboard?billing=cancel',
};

async function purchaseOf(sessionId: string) {
  const db = await getDb();
  const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, sessionId));
  return purchase;
}

describe('createCreditsCheckoutSession against a Stripe-compatible server', () => {
  it('sends a package purchase with its price, the buyer, metadata, return URLs and an idempotency key', async () => {
    const user = await createUser({ email: 'buyer@example.com' });
    // The checkout options (promotion codes, invoices) have their own tests: business-checkout.test.ts.
    const { allowPromotionCodes, invoiceCreation } = appConfig.billing.credits;
    Object.assign(appConfig.billing.credits, {
      allowPromotionCodes: false,
      invoiceCreation: false,
    });
    const session = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls).finally(() =>
      Object.assign(appConfig.billing.credits, {
        allowPromotionCodes,
        invoiceCreation,
      }),
    );

    expect(session.url).toBe(`https://checkout.stripe.com/c/pay/${session.id}`);
    const purchase = await purchaseOf(session.id);
    expect(purchase).toMatchObject({
      userId: user.id,
      packageId: 'starter',
      credits: 1000,
      amountMinor: 1000,
      currency: 'usd',
      status: 'pending',
    });

    const request = stripe.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/checkout/sessions');
    expect(request.headers['idempotency-key']).toBe(`credits-checkout:${purchase!.id}`);
    expect(request.form).toEqual({
      mode: 'payment',
      'line_items[0][price]': 'starter',
      'line_items[0][quantity]': '1',
      // The package has a EUR price too: the currency charged is named.
      currency: 'usd',
      client_reference_id: user.id,
      // The wallet's own Stripe Customer (made with the buyer's email at this first checkout).
      customer: expect.stringMatching(/^cus_test_local\d+$/),
      'metadata[purchaseId]': purchase!.id,
      'metadata[userId]': user.id,
      'metadata[packageId]': 'starter',
      'metadata[credits]': '1000',
      'payment_intent_data[metadata][purchaseId]': purchase!.id,
      'payment_intent_data[metadata][userId]': user.id,
      'payment_intent_data[metadata][packageId]': 'starter',
      'payment_intent_data[metadata][credits]': '1000',
      success_url: urls.successUrl,
      cancel_url: urls.cancelUrl,
    });
  });

  it('prices a manual amount on the server from pricePerCredit, in cents, via price_data', async () => {
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, credits: 2500 }, urls);
    const form = stripe.requests.at(-1)!.form;
    expect(form['line_items[0][price_data][unit_amount]']).toBe('2500');
    expect(form['line_items[0][price_data][currency]']).toBe('usd');
    expect(form['line_items[0][price_data][product_data][name]']).toBe('2,500 credits');
    expect(await purchaseOf(session.id)).toMatchObject({
      packageId: null,
      credits: 2500,
      amountMinor: 2500,
    });
  });

  it.each([
    ['an unknown package', { packageId: 'platinum' }, 'UNKNOWN_PACKAGE'],
    ['fewer credits than Stripe’s minimum charge', { credits: 49 }, 'TOP_UP_OUT_OF_RANGE'],
    ['more credits than the configured maximum', { credits: appConfig.billing.credits.maxManualCredits + 1 }, 'TOP_UP_OUT_OF_RANGE'],
    ['a fractional amount', { credits: 100.5 }, 'INVALID_INPUT'],
  ])('refuses %s without calling Stripe or recording a purchase', async (_label, order, code) => {
    const user = await createUser();
    const before = stripe.requests.length;
    await expect(createCreditsCheckoutSession({ userId: user.id, ...order } as never, urls)).rejects.toMatchObject({ code });
    expect(stripe.requests.length).toBe(before);
    const db = await getDb();
    expect(await db.select().from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toEqual([]);
  });

  it.each([
    ['another site', 'https://evil.example/phish'],
    ['a protocol-relative URL', '//evil.example/phish'],
    ['another port of this host', 'http://localhost:3001/dashboard'],
    ['a script URL', 'javascript:alert(1)'],
  ])('refuses a return URL on %s itself, whoever calls it, recording nothing', async (_label, successUrl) => {
    const user = await createUser();
    const before = stripe.requests.length;
    await expect(createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, { ...urls, successUrl })).rejects.toBeInstanceOf(
      InvalidReturnUrlError,
    );
    await expect(createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, { ...urls, cancelUrl: successUrl })).rejects.toMatchObject({
      code: 'INVALID_RETURN_URL',
    });
    expect(stripe.requests.length).toBe(before);
    const db = await getDb();
    expect(await db.select().from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toEqual([]);
  });

  it('resolves a path against APP_URL', async () => {
    const user = await createUser();
    await createCreditsCheckoutSession(
      { userId: user.id, packageId: 'starter' },
      {
        successUrl: '/dashboard?billing=success',
        cancelUrl: '/dashboard?billing=cancel',
      },
    );
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      success_url: 'http://localhost:3000/dashboard?billing=success',
      cancel_url: 'http://localhost:3000/dashboard?billing=cancel',
    });
  });

  it('answers a typed, retryable error when Stripe cannot be reached, and marks the purchase failed', async () => {
    const user = await createUser();
    // The wallet's customer exists already (made at an earlier checkout); the session call fails.
    await ensureWalletCustomer(await getDb(), `user:${user.id}`);
    // Nothing listens on port 9: the real SDK gets a connection error, as when Stripe is unreachable.
    const unreachable = new Stripe('sk_test_x', {
      host: '127.0.0.1',
      port: 9,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    setPaymentsGateway({
      kind: 'stripe',
      stripe: unreachable,
      webhookSecret: 'whsec_x',
    });
    try {
      await expect(createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls)).rejects.toMatchObject({
        code: 'CHECKOUT_UNAVAILABLE',
        retryable: true,
      });
    } finally {
      stripe.restore();
    }
    const db = await getDb();
    expect(await db.select({ status: creditPurchases.status }).from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toEqual([
      { status: 'failed' },
    ]);
  });

  it('refuses manual amounts while enterManually is off', async () => {
    const user = await createUser();
    appConfig.billing.credits.enterManually = false;
    try {
      await expect(createCreditsCheckoutSession({ userId: user.id, credits: 1000 }, urls)).rejects.toMatchObject({ code: 'MANUAL_TOP_UP_DISABLED' });
    } finally {
      appConfig.billing.credits.enterManually = true;
    }
  });
});
