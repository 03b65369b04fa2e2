/**
 * Your hooks into payment events: webhooks to other systems, analytics, CRM updates, Slack pings.
 *
 * Each runs once per event, after the credits change has committed. A hook that throws is logged and
 * retried (by the next delivery of the event, or `npm run payments:retry`); it never undoes or repeats
 * the credit. Keep them idempotent where you can: a retry after a partial failure runs the hook again.
 */

export interface CreditsTopUpPayload {
  /** The buyer; null only if their account was deleted before the payment arrived. */
  userId: string | null;
  /** The organisation whose wallet was credited, or null for the buyer's own. */
  organizationId: string | null;
  email: string | null;
  name: string | null;
  creditsAdded: number;
  /** The amount paid, formatted for people: "$10.00". */
  amountText: string;
  amountMinor: number;
  currency: string;
  /** The configured package, or null for a manual amount. */
  packageId: string | null;
  purchaseId: string;
  /** The Checkout session paid, or null for an automatic top-up (charged off-session, see `paymentIntentId`). */
  checkoutSessionId: string | null;
  /** The Stripe payment intent (the simulator's `pi_sim_…`), when known. */
  paymentIntentId?: string | null;
  /** True when auto top-up bought these credits with the saved card, without the user at checkout. */
  automatic?: boolean;
  creditsBalance: number;
  /** Promotion codes and coupons taken off the price, in minor units (0: none). */
  amountDiscountMinor?: number;
  /** Tax Stripe charged, in minor units (0: none). */
  amountTaxMinor?: number;
  /** The invoice's page (`invoiceCreation`), or null. */
  invoiceUrl?: string | null;
}

export interface CreditsRefundPayload {
  /** The buyer of the refunded purchase (null if their account was deleted). */
  userId: string | null;
  organizationId: string | null;
  purchaseId: string;
  /** Why: a refund, or a dispute the merchant lost. */
  cause: 'refund' | 'dispute_lost';
  /** Credits the refund entitled us to take back. */
  creditsReversed: number;
  /** Of those, credits the user had already spent: they could not be taken back. */
  creditsShortfall: number;
  amountRefundedMinor: number;
  currency: string;
}

export interface CreditsDisputePayload {
  /** The buyer of the disputed purchase (null if their account was deleted). */
  userId: string | null;
  organizationId: string | null;
  purchaseId: string;
  disputeId: string;
  amountMinor: number;
  currency: string;
  reason: string;
  status: string;
}

export interface CreditsPurchaseReviewPayload {
  /** The buyer (null if their account was deleted). */
  userId: string | null;
  /** The organisation the purchase was for, or null for the buyer's own wallet. */
  organizationId: string | null;
  purchaseId: string;
  /** The Checkout session, or null for an automatic top-up. */
  checkoutSessionId: string | null;
  /** What the purchase would add, and its price, as recorded at checkout. */
  credits: number;
  amountMinor: number;
  currency: string;
  /** What Stripe actually charged. */
  amountPaidMinor: number | null;
  currencyPaid: string | null;
  /** Why it does not match, in words. */
  reason: string;
}

/**
 * Called once per fulfilled credit purchase. The line logged here leaves out the buyer's email and
 * name, and the invoice's page (a link anyone holding it can open, showing the buyer's details):
 * logs travel further than the database, and the purchase id finds the buyer when needed.
 */
export async function onCreditsTopUp(payload: CreditsTopUpPayload): Promise<void> {
  const { email: _email, name: _name, invoiceUrl: _invoiceUrl, ...withoutContact } = payload;
  console.info('[credits] top-up', withoutContact);
}

/** Called once per refund (or lost dispute) that took credits back. */
export async function onCreditsRefunded(payload: CreditsRefundPayload): Promise<void> {
  console.info('[credits] refund', payload);
}

/** Called once when a dispute is opened on a purchase. Credits are untouched until it is lost. */
export async function onCreditsDisputed(payload: CreditsDisputePayload): Promise<void> {
  console.warn('[credits] dispute opened', payload);
}

/**
 * Called once when a paid checkout does not match its purchase (another amount or currency than the
 * price less Stripe's discounts). Nothing was credited; an admin credits it or refunds it in Stripe.
 * Alert someone here.
 */
export async function onCreditsPurchaseNeedsReview(payload: CreditsPurchaseReviewPayload): Promise<void> {
  console.warn('[credits] purchase needs review', payload);
}

export interface CreditsExpiringPayload {
  /** The user whose own credits expire, or null for an organisation's. */
  userId: string | null;
  /** The organisation whose credits expire, or null for a user's own. */
  organizationId: string | null;
  lotId: string;
  bucket: 'bonus' | 'purchased';
  /** Credits still left in the lot when the reminder went out. */
  credits: number;
  expiresAt: string;
}

/**
 * Called once per lot of credits, `billing.credits.expiryReminderDays` before it expires, while at
 * least `expiryReminderMinCredits` are left in it (the reminder email goes out at the same time).
 */
export async function onCreditsExpiring(payload: CreditsExpiringPayload): Promise<void> {
  console.info('[credits] credits expiring', payload);
}

export interface CreditsLowPayload {
  /** The user whose own wallet ran low, or null for an organisation's. */
  userId: string | null;
  /** The organisation whose wallet ran low, or null for a user's own. */
  organizationId: string | null;
  walletId: string;
  /** The wallet's threshold when it was crossed. */
  threshold: number;
  /** Available credits (purchased + bonus) just after the change that crossed it. */
  creditsAvailable: number;
  /** When the change that crossed it was made (ISO 8601). */
  crossedAt: string;
}

/**
 * Called once per crossing of the wallet's low-balance threshold: when a deduction, settle, hold or
 * expiry takes available credits from at least the threshold to below it. Not again until the balance
 * has risen back to the threshold (a top-up) and falls below it once more.
 */
export async function onCreditsLow(payload: CreditsLowPayload): Promise<void> {
  console.info('[credits] balance low', payload);
}
