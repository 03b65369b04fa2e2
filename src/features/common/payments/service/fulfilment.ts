import { and, desc, eq, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { z } from 'zod';

import { env } from '@/config/env';
import { findCreditPackage, purchaseItemName } from '@/features/common/payments/credit-packages';
import { PurchaseNotUnderReviewError } from '@/features/common/payments/service/credits-errors';
import { parseServiceInput, SYSTEM_KEY_PREFIX, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { ledger, runLedger, type WalletRef } from '@/features/common/payments/service/ledger/ledger';
import type { CreditsPurchaseReviewPayload, CreditsTopUpPayload } from '@/features/common/payments/service/payment-callback.service';
import { enqueueJob, enqueueJobs, runNow, runPurchaseJobs, type AfterCommit } from '@/features/common/payments/service/jobs/jobs';
import { disputePayload, lockPayment, paymentLockKey, settleGivenBack } from '@/features/common/payments/service/refunds';
import type { CheckoutSessionEvent } from '@/features/common/payments/service/stripe-event-schemas';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { callStripe, STRIPE_TIMEOUT_MS } from '@/features/common/payments/service/stripe-customer';

/** The simulator's invoice ids: `in_sim_` and a purchase id's hex. */
export const SIMULATED_INVOICE_ID = /^in_sim_[0-9a-f]{32}$/;

/** The payment intent a purchase is paid under in simulator mode (at its checkout, or by auto top-up). */
export function simulatedPaymentIntentId(purchase: Pick<CreditPurchase, 'id'>): string {
  return `pi_sim_${purchase.id.replaceAll('-', '')}`;
}
import { builtOnce, getDb, PG_CHECK_VIOLATION, pgErrorCode, pipelined, queryRows, type Database, type Transaction } from '@/shared/db/client';
import { creditDisputes, creditPurchases, users, type CreditPurchase, type CreditPurchaseStatus } from '@/shared/db/schema';
import { formatMoney } from '@/shared/lib/money';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The wallet a purchase credits: the buyer's own, or the organisation's it was bought for. */
export function purchaseWallet(purchase: Pick<CreditPurchase, 'walletId' | 'userId'>): WalletRef {
  const organizationId = purchase.walletId.startsWith('org:') ? purchase.walletId.slice('org:'.length) : null;
  return { walletId: purchase.walletId, userId: purchase.userId, organizationId, memberId: null };
}

/** When a pack's credits lapse: `expiresAfterDays` after fulfilment, or never. */
function purchaseExpiry(packageId: string | null): Date | null {
  const days = packageId ? findCreditPackage(packageId)?.expiresAfterDays : undefined;
  return days ? new Date(Date.now() + days * DAY_MS) : null;
}

export type FulfilmentOutcome = 'fulfilled' | 'already_fulfilled' | 'held_for_review' | 'unknown_session';

/**
 * Why Stripe's charge does not pay for the purchase, or null when it does. The rule: the currency is
 * the purchase's, and the total is its price less the discounts Stripe reports (promotion codes,
 * coupons), plus the tax Stripe reports when that tax was added on top of the price. Anything else —
 * a `priceId` in config whose Stripe price differs from `amount`, a price changed in the dashboard —
 * holds the purchase for review instead of crediting it in full.
 */
export function chargeProblem(
  session: Pick<CheckoutSessionEvent, 'amount_total' | 'currency' | 'total_details'>,
  purchase: Pick<CreditPurchase, 'amountMinor' | 'currency'>,
): string | null {
  if (session.currency !== purchase.currency) {
    return `Stripe charged in ${session.currency?.toUpperCase() ?? 'no currency'}; the purchase is priced in ${purchase.currency.toUpperCase()}`;
  }
  const discount = session.total_details?.amount_discount ?? 0;
  const tax = session.total_details?.amount_tax ?? 0;
  const expected = purchase.amountMinor - discount;
  if (session.amount_total === expected || (tax > 0 && session.amount_total === expected + tax)) return null;
  const money = (minor: number) => formatMoney(minor, purchase.currency);
  return (
    `Stripe charged ${session.amount_total === null ? 'no amount' : money(session.amount_total)}; ` +
    `the price is ${money(purchase.amountMinor)}${discount ? `, less ${money(discount)} discount` : ''}${tax ? `, plus ${money(tax)} tax if added on top` : ''}`
  );
}

/** Who the receipt goes to. */
type BuyerContact = { email: string | null; name: string | null };

type PaymentSource = { eventId: string | null; actor: { type: 'stripe' } | { type: 'admin'; id: string } };

/** The credit a paid purchase gets: a lot of its credits and the ledger entry, keyed by the checkout session (or payment intent). */
function purchaseCredit(purchase: CreditPurchase, source: PaymentSource) {
  const sessionId = purchase.stripeCheckoutSessionId;
  // A Checkout purchase is keyed by its session; an automatic one (no session) by its payment intent.
  const paymentKey = sessionId ? `checkout:${sessionId}` : `payment_intent:${purchase.stripePaymentIntentId!}`;
  return {
    wallet: purchaseWallet(purchase),
    lot: { type: 'purchase', bucket: 'purchased', source: 'purchase', credits: purchase.credits, expiresAt: purchaseExpiry(purchase.packageId) },
    ctx: {
      reason: `${purchase.kind === 'auto_top_up' ? 'Auto top-up' : 'Purchase'}: ${purchaseItemName(purchase)}`,
      actorType: source.actor.type,
      actorId: source.actor.type === 'admin' ? source.actor.id : null,
      idempotencyKey: `${SYSTEM_KEY_PREFIX}${paymentKey}`,
      metadata: {
        purchaseId: purchase.id,
        packageId: purchase.packageId,
        amountMinor: purchase.amountMinor,
        currency: purchase.currency,
        buyerUserId: purchase.userId,
        ...(purchase.kind === 'auto_top_up' && { automatic: true }),
        ...(purchase.amountPaidMinor !== null && { amountPaidMinor: purchase.amountPaidMinor }),
        ...(purchase.amountDiscountMinor && { amountDiscountMinor: purchase.amountDiscountMinor }),
        ...(purchase.amountTaxMinor && { amountTaxMinor: purchase.amountTaxMinor }),
        ...(purchase.invoiceUrl && { invoiceUrl: purchase.invoiceUrl }),
      },
    },
    refs: { purchaseId: purchase.id, stripeCheckoutSessionId: sessionId, stripePaymentIntentId: purchase.stripePaymentIntentId, stripeEventId: source.eventId },
  } as const;
}

/** The receipt's and `onCreditsTopUp`'s payload, but for the balance after the credit. */
function topUpPayload(purchase: CreditPurchase, user: BuyerContact | undefined): Omit<CreditsTopUpPayload, 'creditsBalance'> {
  return {
    userId: purchase.userId,
    organizationId: purchaseWallet(purchase).organizationId,
    email: user?.email ?? null,
    name: user?.name ?? null,
    creditsAdded: purchase.credits,
    amountText: formatMoney(purchase.amountPaidMinor ?? purchase.amountMinor, purchase.currency),
    amountMinor: purchase.amountPaidMinor ?? purchase.amountMinor,
    currency: purchase.currency,
    packageId: purchase.packageId,
    purchaseId: purchase.id,
    checkoutSessionId: purchase.stripeCheckoutSessionId,
    paymentIntentId: purchase.stripePaymentIntentId,
    automatic: purchase.kind === 'auto_top_up',
    amountDiscountMinor: purchase.amountDiscountMinor ?? 0,
    amountTaxMinor: purchase.amountTaxMinor ?? 0,
    invoiceUrl: purchase.invoiceUrl,
  };
}

/** The two tasks every credited purchase queues: `onCreditsTopUp` and the receipt. */
const topUpJobs = <P>(purchase: CreditPurchase, payload: P) =>
  [
    { kind: 'top_up_callback', reference: purchase.id, purchaseId: purchase.id, payload },
    { kind: 'top_up_receipt', reference: purchase.id, purchaseId: purchase.id, payload },
  ] as const;

/**
 * Credits a purchase that has just been marked paid (in the same transaction, under the payment's
 * lock): its credits with a ledger entry keyed by the checkout session, refunds and lost disputes
 * recorded before it, and the side-effect tasks (receipt, `onCreditsTopUp`, disputes reported now).
 */
async function creditPaidPurchase(tx: Transaction, purchase: CreditPurchase, source: PaymentSource): Promise<void> {
  const { wallet, lot, ctx, refs } = purchaseCredit(purchase, source);
  const crediting = runLedger(tx, ledger.add(wallet, lot, ctx, refs));
  // Sent with the credit, in the same round trip; neither depends on it.
  const [credited, disputes, [user]] = await pipelined([
    crediting,
    tx.select().from(creditDisputes).where(eq(creditDisputes.purchaseId, purchase.id)),
    purchase.userId ? tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, purchase.userId)) : [],
  ]);
  if (credited.status !== 'ok') throw new Error(`Crediting purchase ${purchase.id} answered ${credited.status}`);
  // Refunds, lost disputes and disputes that arrived before this fulfilment were recorded; apply and report them now.
  if (purchase.stripePaymentIntentId) await settleGivenBack(tx, purchase, purchase.stripePaymentIntentId, source.eventId);
  for (const dispute of disputes) {
    await enqueueJob(tx, { kind: 'dispute_callback', reference: dispute.id, purchaseId: purchase.id, payload: disputePayload(purchase, dispute) });
  }
  const payload: CreditsTopUpPayload = { ...topUpPayload(purchase, user), creditsBalance: credited.available! };
  await enqueueJobs(tx, topUpJobs(purchase, payload));
}

/**
 * `credits_fulfil_checkout` (drizzle/0021): a pending purchase whose charge pays for it, marked paid,
 * credited and its tasks queued in one statement, under the same locks as the general transaction.
 * Its arguments are what that transaction would write, worked out from the purchase as read before.
 */
const FULFIL_STATEMENT = `select r_outcome from credits_fulfil_checkout($1::uuid, $2, $3, $4, $5, $6::bigint, $7, $8::bigint, $9::bigint, $10::bigint,
  $11, $12, $13, $14::bigint, $15::timestamptz, $16, $17, $18::jsonb, $19, $20, $21::jsonb)`;

/**
 * The ordinary fulfilment — the purchase read as pending, the charge paying for it, nothing taken
 * back or disputed yet — as one statement instead of a transaction of eleven. False, with nothing
 * written, when the purchase turns out not to be that (changed since it was read, a refund or
 * dispute recorded first, a balance past the safe range): the general transaction then decides.
 */
async function fulfilPlainly(
  db: Database,
  seen: CreditPurchase,
  user: BuyerContact | undefined,
  charged: Charged,
  session: CheckoutSessionEvent,
  eventId: string,
): Promise<boolean> {
  const paid: CreditPurchase = { ...seen, ...charged, status: 'paid', failureCode: null, failureMessage: null, fulfilledAt: charged.updatedAt };
  const { wallet, lot, ctx, refs } = purchaseCredit(paid, { eventId, actor: { type: 'stripe' } });
  const params = [
    paid.id,
    session.payment_intent ? paymentLockKey(session.payment_intent) : null,
    seen.stripePaymentIntentId,
    seen.userId,
    paid.stripePaymentIntentId,
    paid.amountPaidMinor,
    paid.currencyPaid,
    paid.amountSubtotalMinor,
    paid.amountDiscountMinor,
    paid.amountTaxMinor,
    paid.stripeInvoiceId,
    paid.invoiceUrl,
    wallet.walletId,
    lot.credits,
    lot.expiresAt?.toISOString() ?? null,
    ctx.reason,
    ctx.idempotencyKey,
    JSON.stringify(ctx.metadata),
    refs.stripeCheckoutSessionId,
    refs.stripeEventId,
    JSON.stringify(topUpJobs(paid, topUpPayload(paid, user))),
  ];
  try {
    const [row] = await queryRows<{ r_outcome: string }>(db, { sql: FULFIL_STATEMENT, params }, { prepared: true });
    return row?.r_outcome === 'fulfilled';
  } catch (error) {
    // The balance's safe-integer range: the general transaction refuses it the same way, with its typed error.
    if (pgErrorCode(error) === PG_CHECK_VIOLATION) return false;
    throw error;
  }
}

/** What a checkout session says was charged, as the purchase row records it. */
type Charged = Pick<
  CreditPurchase,
  | 'stripePaymentIntentId'
  | 'amountPaidMinor'
  | 'currencyPaid'
  | 'amountSubtotalMinor'
  | 'amountDiscountMinor'
  | 'amountTaxMinor'
  | 'stripeInvoiceId'
  | 'invoiceUrl'
  | 'updatedAt'
>;

function chargedBy(session: CheckoutSessionEvent, purchase: CreditPurchase, invoiceUrl: string | null): Charged {
  return {
    stripePaymentIntentId: session.payment_intent ?? purchase.stripePaymentIntentId,
    amountPaidMinor: session.amount_total,
    currencyPaid: session.currency,
    amountSubtotalMinor: session.amount_subtotal,
    amountDiscountMinor: session.total_details?.amount_discount ?? 0,
    amountTaxMinor: session.total_details?.amount_tax ?? 0,
    stripeInvoiceId: session.invoice,
    invoiceUrl,
    updatedAt: new Date(),
  };
}

/** The purchase a checkout session paid for, with its buyer: read on every delivery, so built once. */
const purchaseBySession = (db: Database) =>
  builtOnce(db, 'purchase by checkout session', (db) =>
    db
      // The buyer's id too: with it, no buyer (deleted) reads as null rather than an object of nulls.
      .select({ purchase: creditPurchases, buyer: { id: users.id, email: users.email, name: users.name } })
      .from(creditPurchases)
      .leftJoin(users, eq(users.id, creditPurchases.userId))
      .where(eq(creditPurchases.stripeCheckoutSessionId, sql.placeholder('sessionId')))
      .prepare('purchase_by_checkout_session'),
  );

/**
 * Credits the purchase behind a paid checkout session, exactly once. The purchase row is locked for
 * the transaction, so of concurrent deliveries one credits and the others find it paid; the credit,
 * its ledger entry (keyed by the session), the `paid` mark and the side-effect tasks commit together.
 * The ordinary case (pending, paid in full, nothing refunded or disputed first) is one statement
 * after one read (`fulfilPlainly`); every other case is the general transaction below.
 * The credits and amount come from the purchase row recorded at checkout, not from the event. A
 * charge that does not pay for the purchase (`chargeProblem`) credits nothing: the purchase becomes
 * `needs_review` and `onCreditsPurchaseNeedsReview` is called. After commit the tasks run; a duplicate
 * delivery retries any that failed before. `afterCommit` says when they run: now (the default), or
 * after the webhook's response.
 */
export async function fulfillCheckoutSession(session: CheckoutSessionEvent, eventId: string, afterCommit: AfterCommit = runNow): Promise<FulfilmentOutcome> {
  const db = await getDb();
  const paymentIntent = session.payment_intent;
  // Read first, without a lock: an unknown session ends here, and a pending purchase whose charge pays
  // for it (nearly every delivery) is fulfilled by one statement that checks it again under the locks.
  const [seen] = await purchaseBySession(db).execute({ sessionId: session.id });
  if (!seen) return 'unknown_session';
  // Asked before any lock is taken (no call to Stripe holds one), once: only while the purchase is unpaid.
  let invoiceUrl: string | null = null;
  if (seen.purchase.status === 'pending') {
    if (session.invoice) invoiceUrl = await hostedInvoiceUrl(session.invoice);
    const charged = chargedBy(session, seen.purchase, invoiceUrl);
    if (!chargeProblem(session, seen.purchase) && (await fulfilPlainly(db, seen.purchase, seen.buyer ?? undefined, charged, session, eventId))) {
      await afterCommit(() => runPurchaseJobs(seen.purchase.id));
      return 'fulfilled';
    }
  }

  // Every other case, under the payment's lock and the purchase row's, in one transaction.
  const outcome = await db.transaction(async (tx): Promise<{ outcome: FulfilmentOutcome; purchaseId?: string }> => {
    if (paymentIntent) await lockPayment(tx, paymentIntent);
    const [purchase] = await tx.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, session.id)).for('update');
    if (!purchase) return { outcome: 'unknown_session' };
    if (purchase.status === 'paid') return { outcome: 'already_fulfilled', purchaseId: purchase.id };
    if (purchase.status === 'needs_review') return { outcome: 'held_for_review', purchaseId: purchase.id };
    const charged = chargedBy(session, purchase, invoiceUrl);
    return { outcome: await settleCharge(tx, purchase, charged, chargeProblem(session, purchase), eventId), purchaseId: purchase.id };
  });

  const { purchaseId } = outcome;
  if (purchaseId) await afterCommit(() => runPurchaseJobs(purchaseId));
  return outcome.outcome;
}

/**
 * Records what Stripe charged for a purchase (locked by the caller) and then either credits it —
 * `paid`, with its ledger entry and tasks — or, when `problem` says the charge does not pay for it,
 * holds it for review (`needs_review`, nothing credited, `onCreditsPurchaseNeedsReview` queued). For
 * Checkout sessions and auto top-up's payment intents alike.
 */
export async function settleCharge(
  tx: Transaction,
  purchase: CreditPurchase,
  charged: Partial<CreditPurchase>,
  problem: string | null,
  eventId: string,
): Promise<'fulfilled' | 'held_for_review'> {
  if (problem) {
    const [held] = await tx
      .update(creditPurchases)
      .set({ ...charged, status: 'needs_review', reviewReason: problem, updatedAt: new Date() })
      .where(eq(creditPurchases.id, purchase.id))
      .returning();
    console.warn(`[payments] purchase ${purchase.id} held for review, nothing credited: ${problem}`);
    await enqueueJob(tx, { kind: 'review_callback', reference: purchase.id, purchaseId: purchase.id, payload: reviewPayload(held!) });
    return 'held_for_review';
  }
  const [paid] = await tx
    .update(creditPurchases)
    .set({ ...charged, status: 'paid', failureCode: null, failureMessage: null, fulfilledAt: new Date(), updatedAt: new Date() })
    .where(eq(creditPurchases.id, purchase.id))
    .returning();
  await creditPaidPurchase(tx, paid!, { eventId, actor: { type: 'stripe' } });
  return 'fulfilled';
}

/**
 * The page where the buyer sees and downloads the invoice (`hosted_invoice_url`), or null when Stripe
 * has none. The simulator's invoices are pages of this app. Stripe slow or down throws
 * `StripeUnavailableError`: the webhook answers 500 and Stripe delivers the event again.
 */
async function hostedInvoiceUrl(invoiceId: string): Promise<string | null> {
  const gateway = getPaymentsGateway();
  if (gateway.kind === 'simulator') {
    return SIMULATED_INVOICE_ID.test(invoiceId) ? new URL(`/checkout/simulator/invoice/${invoiceId}`, env.APP_URL).toString() : null;
  }
  try {
    const invoice = await callStripe('retrieve invoice', () => gateway.stripe.invoices.retrieve(invoiceId, {}, { timeout: STRIPE_TIMEOUT_MS }));
    const url = invoice.hosted_invoice_url;
    return url && /^https:\/\//.test(url) && url.length <= 2048 ? url : null;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
    throw error;
  }
}

function reviewPayload(purchase: CreditPurchase): CreditsPurchaseReviewPayload {
  return {
    userId: purchase.userId,
    organizationId: purchaseWallet(purchase).organizationId,
    purchaseId: purchase.id,
    checkoutSessionId: purchase.stripeCheckoutSessionId,
    credits: purchase.credits,
    amountMinor: purchase.amountMinor,
    currency: purchase.currency,
    amountPaidMinor: purchase.amountPaidMinor,
    currencyPaid: purchase.currencyPaid,
    reason: purchase.reviewReason ?? '',
  };
}

const reviewDecisionSchema = z.object({ purchaseId: z.uuid({ message: 'must be a purchase id (a UUID)' }), adminId: userIdSchema.shape.userId });

/**
 * An admin's decision on a purchase held for review: credit it as bought (the buyer keeps the
 * credits, the ledger entry names the admin). Once only; any other purchase throws
 * `PurchaseNotUnderReviewError` and changes nothing (bad ids: `InvalidCreditsInputError`). Refunds
 * and disputes recorded meanwhile apply.
 */
export async function creditPurchaseUnderReview(purchase: string, admin: string): Promise<void> {
  const { purchaseId, adminId } = parseServiceInput(reviewDecisionSchema, { purchaseId: purchase, adminId: admin });
  const db = await getDb();
  const [known] = await db.select({ paymentIntent: creditPurchases.stripePaymentIntentId }).from(creditPurchases).where(eq(creditPurchases.id, purchaseId));
  if (!known) throw new PurchaseNotUnderReviewError(purchaseId);
  await db.transaction(async (tx) => {
    if (known.paymentIntent) await lockPayment(tx, known.paymentIntent);
    const [paid] = await tx
      .update(creditPurchases)
      .set({ status: 'paid', fulfilledAt: new Date(), updatedAt: new Date() })
      .where(and(eq(creditPurchases.id, purchaseId), eq(creditPurchases.status, 'needs_review')))
      .returning();
    if (!paid) throw new PurchaseNotUnderReviewError(purchaseId);
    await creditPaidPurchase(tx, paid, { eventId: null, actor: { type: 'admin', id: adminId } });
  });
  await runPurchaseJobs(purchaseId);
}

/**
 * Purchases held for review, newest first, with the buyer's email: all of them for the admin credits
 * page, or one user's (`userId`) for their own credits page.
 */
export async function listPurchasesNeedingReview(options: { userId?: string; limit?: number } = {}) {
  const { limit = 50 } = options;
  const db = await getDb();
  return db
    .select({ purchase: creditPurchases, email: users.email })
    .from(creditPurchases)
    .innerJoin(users, eq(users.id, creditPurchases.userId))
    .where(and(eq(creditPurchases.status, 'needs_review'), options.userId ? eq(creditPurchases.userId, options.userId) : undefined))
    .orderBy(desc(creditPurchases.updatedAt))
    .limit(limit);
}

/**
 * Marks a still-pending purchase as failed (a delayed payment method was declined) or expired (the
 * session timed out unpaid). A purchase already paid is left alone, whatever order events arrive in.
 */
export async function markPurchase(sessionId: string, status: Extract<CreditPurchaseStatus, 'failed' | 'expired'>): Promise<boolean> {
  const db = await getDb();
  const updated = await db
    .update(creditPurchases)
    .set({ status, updatedAt: new Date() })
    .where(and(eq(creditPurchases.stripeCheckoutSessionId, sessionId), eq(creditPurchases.status, 'pending')))
    .returning({ id: creditPurchases.id });
  return updated.length > 0;
}
