import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { appConfig } from '@/config/app';
import { parseAppConfig, type AppConfigInput } from '@/config/app-config.schema';
import { paySimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';
import { getPaymentsGateway, setPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { ensureWalletCustomer } from '@/features/common/payments/service/stripe-customer';
import { getDb } from '@/shared/db/client';
import { listOutboxEmails } from '@/shared/email/outbox';
import { creditPurchases, users, wallets } from '@/shared/db/schema';
import { balanceRowOf, createUser, ledgerOf } from '../helpers/factories';
import { pendingPurchase } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();
vi.spyOn(console, 'info').mockImplementation(() => {});

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

const urls = {
  successUrl: 'http://localhost:3000/dashboard?billing=success',
  cancelUrl: 'http://localhost:3000/dashboard?billing=cancel',
};
const credits = appConfig.billing.credits;
const original = { ...credits };
afterEach(() => {
  Object.assign(credits, original);
  stripe.behaviour.delayMs = 0;
  stripe.behaviour.failWith = 0;
  stripe.restore();
});

/** Turns on the flags and prices of `overrides`, validated as the app's config would be. */
function configure(overrides: Partial<AppConfigInput['billing']['credits']>) {
  const parsed = parseAppConfig({
    name: 'Test',
    billing: {
      credits: {
        enabled: true,
        enterManually: true,
        pricePerCredit: 0.01,
        currency: 'usd',
        packages: [
          {
            id: 'starter',
            priceId: 'starter',
            name: 'Starter Pack',
            amount: 10,
            currency: 'usd',
            creditsAmount: 1000,
          },
        ],
        ...overrides,
      },
    },
    rateLimits: appConfig.rateLimits,
  });
  Object.assign(credits, parsed.billing.credits);
}

async function purchaseOf(sessionId: string) {
  const db = await getDb();
  const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, sessionId));
  return purchase!;
}

describe(`checkout options on ${testDriver}`, () => {
  it('sends none of the options while they are off (the default)', async () => {
    configure({});
    const user = await createUser();
    await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    const form = stripe.requests.at(-1)!.form;
    for (const key of Object.keys(form))
      expect(key).not.toMatch(/allow_promotion_codes|automatic_tax|tax_id_collection|invoice_creation|billing_address_collection|customer_update/);
  });

  it('asks Checkout for promotion codes, Stripe Tax with the address and tax ids it needs, and an invoice', async () => {
    configure({
      allowPromotionCodes: true,
      automaticTax: true,
      invoiceCreation: true,
    });
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    const purchase = await purchaseOf(session.id);
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      allow_promotion_codes: 'true',
      'automatic_tax[enabled]': 'true',
      billing_address_collection: 'required',
      'tax_id_collection[enabled]': 'true',
      'customer_update[address]': 'auto',
      'customer_update[name]': 'auto',
      'invoice_creation[enabled]': 'true',
      'invoice_creation[invoice_data][metadata][purchaseId]': purchase.id,
    });
  });

  it('collects tax ids without Stripe Tax when only taxIdCollection is on', async () => {
    configure({ taxIdCollection: true });
    const user = await createUser();
    await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    const form = stripe.requests.at(-1)!.form;
    expect(form['tax_id_collection[enabled]']).toBe('true');
    expect(form['automatic_tax[enabled]']).toBeUndefined();
  });
});

describe('one Stripe Customer per wallet', () => {
  it('is created at the first checkout, with the wallet in its metadata, and reused after', async () => {
    const user = await createUser({ email: 'customer@example.com' });
    const first = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    const customerId =
      stripe.requests.find((r) => r.path === '/v1/customers' && r.form['metadata[walletId]'] === `user:${user.id}`) && stripe.requests.at(-1)!.form.customer;
    expect(customerId).toMatch(/^cus_test_local/);
    expect(stripe.customers.get(customerId!)).toMatchObject({
      email: 'customer@example.com',
      metadata: { walletId: `user:${user.id}` },
    });
    const customersBefore = stripe.requests.filter((r) => r.path === '/v1/customers').length;

    await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    expect(stripe.requests.filter((r) => r.path === '/v1/customers').length).toBe(customersBefore);
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      customer: customerId,
    });
    expect(stripe.requests.at(-1)!.form.customer_email).toBeUndefined();
    expect(first.id).not.toBe(stripe.requests.at(-1)!.path);
  });

  it('is made once when many first checkouts race: one idempotency key, one stored id', async () => {
    const user = await createUser();
    const db = await getDb();
    const ids = await Promise.all(Array.from({ length: 8 }, () => ensureWalletCustomer(db, `user:${user.id}`)));
    expect(new Set(ids).size).toBe(1);
    const [wallet] = await db
      .select()
      .from(wallets)
      .where(eq(wallets.id, `user:${user.id}`));
    expect(wallet!.stripeCustomerId).toBe(ids[0]);
    const keys = stripe.requests
      .filter((r) => r.path === '/v1/customers' && r.form['metadata[walletId]'] === `user:${user.id}`)
      .map((r) => r.headers['idempotency-key']);
    expect(new Set(keys)).toEqual(new Set([`credits-customer:user:${user.id}`]));
    expect([...stripe.customers.values()].filter((c) => (c.metadata as { walletId: string }).walletId === `user:${user.id}`)).toHaveLength(1);
  });

  it('turns Stripe being down into a retryable CheckoutUnavailableError and records no purchase', async () => {
    const user = await createUser();
    stripe.behaviour.failWith = 500;
    await expect(createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls)).rejects.toMatchObject({
      code: 'CHECKOUT_UNAVAILABLE',
      retryable: true,
    });
    const db = await getDb();
    expect(await db.select().from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toEqual([]);
  });
});

describe('prices in the buyer’s currency', () => {
  const multiCurrency = () =>
    configure({
      pricesPerCredit: { eur: 0.02, jpy: 1 },
      packages: [
        {
          id: 'starter',
          priceId: 'starter',
          name: 'Starter Pack',
          amount: 10,
          currency: 'usd',
          creditsAmount: 1000,
          prices: {
            eur: { amount: 9, priceId: 'starter_eur' },
            jpy: { amount: 1500, priceId: 'starter' },
          },
        },
      ],
    });

  it('lists every currency something can be bought in, the main one first', () => {
    multiCurrency();
    expect(credits.currencies).toEqual(['usd', 'eur', 'jpy']);
    expect(credits.packages[0]!.pricesMinor).toEqual({
      usd: { amountMinor: 1000, priceId: 'starter' },
      eur: { amountMinor: 900, priceId: 'starter_eur' },
      jpy: { amountMinor: 1500, priceId: 'starter' },
    });
  });

  it('charges the chosen currency’s price and remembers the choice for the next checkout', async () => {
    multiCurrency();
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter', currency: 'EUR' }, urls);
    expect(await purchaseOf(session.id)).toMatchObject({
      currency: 'eur',
      amountMinor: 900,
      credits: 1000,
    });
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      'line_items[0][price]': 'starter_eur',
      currency: 'eur',
    });

    const again = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls, { locales: ['en-US'] });
    expect(await purchaseOf(again.id)).toMatchObject({
      currency: 'eur',
      amountMinor: 900,
    });
    const db = await getDb();
    expect((await db.select({ c: users.preferredCurrency }).from(users).where(eq(users.id, user.id)))[0]!.c).toBe('eur');
  });

  it('names the currency for a price with currency_options, in whole yen', async () => {
    multiCurrency();
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter', currency: 'jpy' }, urls);
    expect(await purchaseOf(session.id)).toMatchObject({
      currency: 'jpy',
      amountMinor: 1500,
    });
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      'line_items[0][price]': 'starter',
      currency: 'jpy',
    });
  });

  it('defaults from the buyer’s locale when they have not chosen, and to the main currency otherwise', async () => {
    multiCurrency();
    const german = await createUser();
    const de = await createCreditsCheckoutSession({ userId: german.id, packageId: 'starter' }, urls, { locales: ['de-DE', 'en'] });
    expect((await purchaseOf(de.id)).currency).toBe('eur');
    const other = await createUser();
    const br = await createCreditsCheckoutSession({ userId: other.id, packageId: 'starter' }, urls, { locales: ['pt-BR'] });
    expect((await purchaseOf(br.id)).currency).toBe('usd');
  });

  it('prices a manual amount per currency from pricesPerCredit', async () => {
    multiCurrency();
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, credits: 1000, currency: 'eur' }, urls);
    expect(await purchaseOf(session.id)).toMatchObject({
      currency: 'eur',
      amountMinor: 2000,
      credits: 1000,
    });
    expect(stripe.requests.at(-1)!.form).toMatchObject({
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '2000',
    });
  });

  it('refuses a currency it does not sell in, before anything is recorded or sent', async () => {
    multiCurrency();
    const user = await createUser();
    const sent = stripe.requests.length;
    await expect(createCreditsCheckoutSession({ userId: user.id, packageId: 'starter', currency: 'gbp' }, urls)).rejects.toMatchObject({
      code: 'UNSUPPORTED_CURRENCY',
    });
    expect(stripe.requests.length).toBe(sent);
    const db = await getDb();
    expect(await db.select().from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toEqual([]);
  });

  it('refuses a config whose other-currency price Stripe could not charge', () => {
    expect(() =>
      configure({
        packages: [
          {
            id: 'p',
            priceId: 'p',
            name: 'P',
            amount: 10,
            creditsAmount: 1,
            prices: { jpy: { amount: 10.5, priceId: 'p' } },
          },
        ],
      }),
    ).toThrow('billing.credits.packages.0.prices.jpy.amount 10.5 is not a whole number of JPY minor units');
  });
});

describe('fulfilment with discounts, tax and invoices', () => {
  it('credits the pack’s credits whatever the discount and tax, and records subtotal, discount, tax, total and the invoice', async () => {
    configure({
      allowPromotionCodes: true,
      automaticTax: true,
      invoiceCreation: true,
    });
    const p = await pendingPurchase();
    stripe.invoices.set('in_test_1', {
      hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_1',
    });
    const event = p.completed({
      amount_subtotal: 1000,
      amount_total: 990,
      total_details: {
        amount_discount: 100,
        amount_tax: 90,
        amount_shipping: 0,
      },
      invoice: 'in_test_1',
    });
    expect((await (await import('../helpers/stripe-events')).deliver(event)).status).toBe(200);

    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 1000 });
    expect(await purchaseOf(p.session.id)).toMatchObject({
      status: 'paid',
      amountSubtotalMinor: 1000,
      amountDiscountMinor: 100,
      amountTaxMinor: 90,
      amountPaidMinor: 990,
      currencyPaid: 'usd',
      stripeInvoiceId: 'in_test_1',
      invoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_1',
    });
    const entry = (await ledgerOf(p.user.id)).find((e) => e.type === 'purchase')!;
    expect(entry.metadata).toMatchObject({
      amountDiscountMinor: 100,
      amountTaxMinor: 90,
      invoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_1',
    });

    const [receipt] = await listOutboxEmails({ to: p.user.email! });
    expect(receipt!.text).toContain('Discount');
    expect(receipt!.text).toContain('−$1.00');
    expect(receipt!.text).toContain('Tax');
    expect(receipt!.text).toContain('$0.90');
    expect(receipt!.html).toContain('https://invoice.stripe.com/i/acct_1/test_1');
  });

  it('fetches the invoice once: a duplicate delivery does not ask Stripe again', async () => {
    configure({ invoiceCreation: true });
    const p = await pendingPurchase();
    stripe.invoices.set('in_test_2', {
      hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_2',
    });
    const { deliver } = await import('../helpers/stripe-events');
    await deliver(p.completed({ invoice: 'in_test_2' }));
    await deliver(p.completed({ invoice: 'in_test_2' }));
    expect(stripe.requests.filter((r) => r.path.startsWith('/v1/invoices/in_test_2'))).toHaveLength(1);
  });

  it('answers 500 with nothing credited while Stripe cannot give the invoice, and credits on the retry', async () => {
    configure({ invoiceCreation: true });
    const p = await pendingPurchase();
    const { deliver } = await import('../helpers/stripe-events');
    vi.spyOn(console, 'error').mockImplementationOnce(() => {});
    stripe.behaviour.failWith = 503;
    expect((await deliver(p.completed({ invoice: 'in_test_3' }))).status).toBe(500);
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 0 });
    stripe.behaviour.failWith = 0;
    stripe.invoices.set('in_test_3', {
      hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_3',
    });
    expect((await deliver(p.completed({ invoice: 'in_test_3' }))).status).toBe(200);
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 1000 });
  });

  it('holds a charge for review when the total is not the price less the reported discount (plus tax)', async () => {
    const p = await pendingPurchase();
    const { deliver } = await import('../helpers/stripe-events');
    vi.spyOn(console, 'warn').mockImplementationOnce(() => {});
    await deliver(
      p.completed({
        amount_total: 500,
        total_details: { amount_discount: 100, amount_tax: 0 },
      }),
    );
    expect(await purchaseOf(p.session.id)).toMatchObject({
      status: 'needs_review',
    });
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 0 });
  });

  it('takes back credits of a taxed purchase in proportion to the pre-tax amount refunded', async () => {
    // $10.00 + $1.00 tax = $11.00. Stripe refunds tax with the refund: $5.50 back is $5.00 of the
    // pre-tax price, half of it, so 500 of the 1,000 credits. credits × refunded / total is that share.
    const p = await pendingPurchase();
    const { deliver, fixtureEvent } = await import('../helpers/stripe-events');
    await deliver(
      p.completed({
        amount_total: 1100,
        total_details: { amount_discount: 0, amount_tax: 100 },
      }),
    );
    await deliver(
      fixtureEvent('charge.refunded.json', {
        payment_intent: p.paymentIntent,
        amount: 1100,
        amount_refunded: 550,
      }),
    );
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 500 });
    await deliver(
      fixtureEvent('charge.refunded.json', {
        payment_intent: p.paymentIntent,
        amount: 1100,
        amount_refunded: 1100,
      }),
    );
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 0 });
  });

  it('takes back a discounted purchase’s credits as a share of what was paid, not of the list price', async () => {
    const p = await pendingPurchase();
    const { deliver, fixtureEvent } = await import('../helpers/stripe-events');
    await deliver(
      p.completed({
        amount_total: 800,
        total_details: { amount_discount: 200, amount_tax: 0 },
      }),
    );
    await deliver(
      fixtureEvent('charge.refunded.json', {
        payment_intent: p.paymentIntent,
        amount: 800,
        amount_refunded: 400,
      }),
    );
    expect(await balanceRowOf(p.user.id)).toMatchObject({ purchased: 500 });
  });
});

describe('the simulator’s equivalents', () => {
  it('takes the test promotion code off, adds simulated tax, and links a simulated invoice', async () => {
    configure({
      allowPromotionCodes: true,
      automaticTax: true,
      invoiceCreation: true,
    });
    setPaymentsGateway({ ...getPaymentsGateway(), kind: 'simulator' });
    const user = await createUser();
    const session = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    await expect(paySimulatedCheckout(session.id, user.id, { promotionCode: 'NOPE' })).rejects.toThrow('not valid');
    await paySimulatedCheckout(session.id, user.id, {
      promotionCode: 'test10',
    });

    const purchase = await purchaseOf(session.id);
    expect(purchase).toMatchObject({
      status: 'paid',
      amountSubtotalMinor: 1000,
      amountDiscountMinor: 100,
      amountTaxMinor: 90,
      amountPaidMinor: 990,
    });
    expect(purchase.stripeInvoiceId).toMatch(/^in_sim_[0-9a-f]{32}$/);
    expect(purchase.invoiceUrl).toBe(`http://localhost:3000/checkout/simulator/invoice/${purchase.stripeInvoiceId}`);
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 1000 });
    const db = await getDb();
    const [wallet] = await db
      .select()
      .from(wallets)
      .where(eq(wallets.id, `user:${user.id}`));
    expect(wallet!.stripeCustomerId).toMatch(/^cus_sim_/);
  });

  it('rounds the simulated discount and tax to what the currency can charge (whole yen)', async () => {
    const { simulatedTotals } = await import('@/features/common/payments/service/checkout-simulator');
    configure({ allowPromotionCodes: true, automaticTax: true });
    expect(simulatedTotals({ amountMinor: 1555, currency: 'jpy' }, 'TEST10')).toEqual({
      subtotal: 1555,
      discount: 155,
      tax: 140,
      total: 1540,
      promotionCode: 'TEST10',
    });
  });
});
