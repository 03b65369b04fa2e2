import { randomBytes } from 'node:crypto';

import { and, eq } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { purchaseItemName } from '@/features/common/payments/credit-packages';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { SIMULATED_INVOICE_ID, simulatedPaymentIntentId } from '@/features/common/payments/service/fulfilment';
import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { getDb } from '@/shared/db/client';
import { creditPurchases, users, type CreditPurchase } from '@/shared/db/schema';
import { minorUnitStep } from '@/shared/lib/money';

/*
 * The payments seam's embedded default: a local stand-in for Stripe Checkout. Paying builds the
 * event Stripe would send, signs it with the webhook secret exactly as Stripe does, and hands the
 * signed request to the webhook route's handler — in-process, so no request header can point it
 * elsewhere — so everything after the payment provider (signature check, fulfilment, ledger,
 * callbacks, receipt) is the code that runs in production.
 */

const SIMULATED_SESSION_ID = /^cs_sim_[0-9a-f]{32}$/;

export interface SimulatedCheckout {
  purchase: CreditPurchase;
  itemName: string;
}

/** The checkout `sessionId` of `userId`, or null when the simulator is off or it is not theirs. */
export async function getSimulatedCheckout(sessionId: string, userId: string): Promise<SimulatedCheckout | null> {
  return simulatorPurchase(creditPurchases.stripeCheckoutSessionId, SIMULATED_SESSION_ID, sessionId, userId);
}

/**
 * The purchase of `userId` whose `column` is `id`, or null when the simulator is off, it is not theirs,
 * or `id` is not one of the simulator's own (`pattern`): anything else never reaches a query.
 */
async function simulatorPurchase(column: AnyPgColumn, pattern: RegExp, id: string, userId: string): Promise<SimulatedCheckout | null> {
  if (getPaymentsGateway().kind !== 'simulator') return null;
  if (typeof id !== 'string' || !pattern.test(id) || typeof userId !== 'string') return null;
  const db = await getDb();
  const [purchase] = await db
    .select()
    .from(creditPurchases)
    .where(and(eq(column, id), eq(creditPurchases.userId, userId)));
  if (!purchase) return null;
  return { purchase, itemName: purchaseItemName(purchase) };
}

/** The promotion code the simulator accepts when `allowPromotionCodes` is on: 10% off. */
export const SIMULATOR_PROMOTION_CODE = 'TEST10';
export const SIMULATOR_DISCOUNT_PERCENT = 10;
/** The tax rate the simulator adds on top when `automaticTax` is on, as Stripe Tax does for an exclusive price. */
export const SIMULATOR_TAX_PERCENT = 10;

export interface SimulatedTotals {
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  promotionCode: string | null;
}

/** Rounds a share of an amount down to what the currency can be charged in (whole yen, whole krónur …). */
function share(amountMinor: number, percent: number, currency: string): number {
  const step = minorUnitStep(currency);
  return Math.floor((amountMinor * percent) / 100 / step) * step;
}

/**
 * What the simulator charges for a purchase: its price, less `TEST10`'s 10% when promotion codes are
 * on and the buyer entered it, plus 10% tax on the rest when `automaticTax` is on. Null for any other
 * code (the page says it is not valid). Integer minor units, rounded as the currency allows.
 */
export function simulatedTotals(purchase: Pick<CreditPurchase, 'amountMinor' | 'currency'>, promotionCode: string | null | undefined): SimulatedTotals | null {
  const config = appConfig.billing.credits;
  if (promotionCode !== null && promotionCode !== undefined && typeof promotionCode !== 'string') return null;
  const code = (promotionCode ?? '').trim().toUpperCase();
  if (code && (!config.allowPromotionCodes || code !== SIMULATOR_PROMOTION_CODE)) return null;
  const subtotal = purchase.amountMinor;
  const discount = code ? share(subtotal, SIMULATOR_DISCOUNT_PERCENT, purchase.currency) : 0;
  const tax = config.automaticTax ? share(subtotal - discount, SIMULATOR_TAX_PERCENT, purchase.currency) : 0;
  return { subtotal, discount, tax, total: subtotal - discount + tax, promotionCode: code || null };
}

/** What a paid purchase was charged, as fulfilment recorded it from the session. */
export function recordedTotals(purchase: CreditPurchase): SimulatedTotals {
  const discount = purchase.amountDiscountMinor ?? 0;
  const tax = purchase.amountTaxMinor ?? 0;
  const total = purchase.amountPaidMinor ?? purchase.amountMinor;
  return { subtotal: purchase.amountSubtotalMinor ?? purchase.amountMinor, discount, tax, total, promotionCode: null };
}

/** The simulator's invoice id of a purchase (when `invoiceCreation` is on). */
function simulatedInvoiceId(purchase: Pick<CreditPurchase, 'id'>): string {
  return `in_sim_${purchase.id.replaceAll('-', '')}`;
}

/**
 * A simulated invoice, for its buyer only (null otherwise, or when the simulator is off): the
 * purchase it is for, as paid.
 */
export async function getSimulatedInvoice(invoiceId: string, userId: string): Promise<SimulatedCheckout | null> {
  return simulatorPurchase(creditPurchases.stripeInvoiceId, SIMULATED_INVOICE_ID, invoiceId, userId);
}

/** A `checkout.session.completed` event for a paid purchase, shaped as Stripe sends it. */
export function buildCheckoutCompletedEvent(purchase: CreditPurchase, customerEmail: string | null, totals: SimulatedTotals | null = null) {
  const sessionId = purchase.stripeCheckoutSessionId!;
  const charged = totals ?? { subtotal: purchase.amountMinor, discount: 0, tax: 0, total: purchase.amountMinor, promotionCode: null };
  const invoice = appConfig.billing.credits.invoiceCreation ? simulatedInvoiceId(purchase) : null;
  const metadata = { purchaseId: purchase.id, userId: purchase.userId, packageId: purchase.packageId ?? '', credits: String(purchase.credits) };
  return simulatedEvent('checkout.session.completed', {
    id: sessionId,
    object: 'checkout.session',
    amount_subtotal: charged.subtotal,
    amount_total: charged.total,
    total_details: { amount_discount: charged.discount, amount_shipping: 0, amount_tax: charged.tax },
    discounts: charged.promotionCode ? [{ coupon: null, promotion_code: `promo_sim_${charged.promotionCode}` }] : [],
    invoice,
    cancel_url: purchase.cancelUrl,
    client_reference_id: purchase.userId,
    currency: purchase.currency,
    customer_details: { email: customerEmail },
    customer_email: customerEmail,
    livemode: false,
    metadata,
    mode: 'payment',
    payment_intent: simulatedPaymentIntentId(purchase),
    payment_status: 'paid',
    status: 'complete',
    success_url: purchase.successUrl,
    url: null,
  });
}

export class SimulatedPaymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedPaymentError';
  }
}

/**
 * Pays a simulated checkout: delivers the signed event to the webhook handler and returns the
 * success URL to send the buyer to. Throws when the webhook refuses the event.
 */
export async function paySimulatedCheckout(sessionId: string, userId: string, options: { promotionCode?: string | null } = {}): Promise<string> {
  const checkout = await getSimulatedCheckout(sessionId, userId);
  if (!checkout) throw new SimulatedPaymentError(`No simulated checkout ${JSON.stringify(String(sessionId).slice(0, 100))} for this user`);
  const totals = simulatedTotals(checkout.purchase, options.promotionCode);
  if (!totals) throw new SimulatedPaymentError('That promotion code is not valid');
  const db = await getDb();
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  await deliverSignedEvent(buildCheckoutCompletedEvent(checkout.purchase, user?.email ?? null, totals));
  return checkout.purchase.successUrl;
}

/** Signs an event with the webhook secret as Stripe does and hands it to the webhook handler; throws when it is refused. */
async function deliverSignedEvent(event: object): Promise<void> {
  const payload = JSON.stringify(event);
  const { stripe, webhookSecret } = getPaymentsGateway();
  const response = await handleStripeWebhook(
    new Request(new URL('/api/webhooks/stripe', env.APP_URL), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }) },
      body: payload,
    }),
  );
  if (!response.ok) throw new SimulatedPaymentError(`The webhook answered ${response.status}: ${await response.text()}`);
}

/**
 * Plays Stripe for the simulator's other events (auto top-up's payments, saved and removed cards):
 * an event of `type` about `object`, shaped and signed as Stripe's, through the webhook handler.
 */
export async function deliverSimulatedEvent(type: string, object: Record<string, unknown>): Promise<void> {
  await deliverSignedEvent(simulatedEvent(type, object));
}

/** An event of `type` about `object`, in Stripe's envelope. */
function simulatedEvent<T extends Record<string, unknown>>(type: string, object: T) {
  return {
    id: `evt_sim_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: getPaymentsGateway().stripe.getApiField('version'),
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}
