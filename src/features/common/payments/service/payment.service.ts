import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { findCreditPackage, purchaseItemName } from '@/features/common/payments/credit-packages';
import { manualTopUpLimits, priceForCredits } from '@/features/common/payments/manual-top-up';
import { resolveReturnUrl } from '@/features/common/payments/return-url';
import { toCreditsBalance, type CreditsBalance } from '@/features/common/payments/service/ledger/balances';
import {
  CheckoutUnavailableError,
  InvalidCreditsInputError,
  ManualTopUpDisabledError,
  RateLimitedError,
  TopUpOutOfRangeError,
  UnknownPackageError,
  UnsupportedCurrencyError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import {
  addCreditsSchema,
  currencyChoiceSchema,
  parseCreditsInput,
  storableString,
  SYSTEM_KEY_PREFIX,
  organizationIdSchema,
  userIdSchema,
  type AddCreditsInput,
} from '@/features/common/payments/service/credits-input.schema';
import { expectApplied, fingerprint, ledger, runLedger, walletOf } from '@/features/common/payments/service/ledger/ledger';
import { MANAGER_ROLES, requireMember } from '@/features/common/payments/service/organizations/membership';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { defaultBuyerCurrency, manualTopUpIn, packagePrice } from '@/features/common/payments/pricing';
import { asCheckoutUnavailable, ensureWalletCustomer, STRIPE_TIMEOUT_MS } from '@/features/common/payments/service/stripe-customer';
import { getDb } from '@/shared/db/client';
import { creditPurchases, users, type CreditLotSource, type CreditTransactionType } from '@/shared/db/schema';
import { consumeRateLimit } from '@/shared/lib/rate-limit';

export interface AddCreditsResult extends CreditsBalance {
  transactionId: string;
  /** The lot the credits arrived in (null when a retry replayed the first grant). */
  lotId: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Adds credits to a user's bonus or purchased bucket — or, with `organizationId`, to that
 * organisation's wallet — without a payment: admin grants, promotions, compensation. The credits
 * arrive as a lot that lapses at `expiresAt` (default: bonus credits after
 * `billing.credits.bonusExpiresAfterDays`, else never). One ledger call writes the lot, the balance
 * and its entry; an `actorId` records the admin who granted them (otherwise the system did).
 *
 * With an `idempotencyKey`, a retry returns the first result and grants once; the same key with other
 * arguments throws `IdempotencyConflictError`. Bad arguments (`InvalidCreditsInputError`, also an
 * `expiresAt` in the past), an unknown user or organisation (`UserNotFoundError`,
 * `OrganizationNotFoundError`) and disabled credits (`CreditsDisabledError`) write nothing.
 */
export async function addCreditsDirectly(
  input: AddCreditsInput,
  options: {
    type?: Extract<CreditTransactionType, 'grant' | 'signup_bonus' | 'correction'>;
    /** For the module's own grants: a key in the reserved `system:` namespace, which callers cannot use. */
    systemKey?: string;
  } = {},
): Promise<AddCreditsResult> {
  const parsed = parseCreditsInput(addCreditsSchema, input);
  const { userId, organizationId, credits, creditsType, reason, actorId, requestFingerprint, metadata } = parsed;
  if (parsed.expiresAt && parsed.expiresAt.getTime() <= Date.now()) {
    throw new InvalidCreditsInputError([{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  const bonusDays = appConfig.billing.credits.bonusExpiresAfterDays;
  const expiresAt = parsed.expiresAt ?? (creditsType === 'bonus' && bonusDays ? new Date(Date.now() + bonusDays * DAY_MS) : null);
  const idempotencyKey = options.systemKey ? `${SYSTEM_KEY_PREFIX}${options.systemKey}` : parsed.idempotencyKey;
  const type = options.type ?? 'grant';
  const source: CreditLotSource = type;
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  const outcome = expectApplied(
    await runLedger(
      db,
      ledger.add(
        wallet,
        { type, bucket: creditsType, source, credits, expiresAt },
        {
          reason,
          actorType: actorId ? 'admin' : 'system',
          actorId,
          idempotencyKey,
          // An explicit expiry is part of the request; a default one is not (it moves with the clock).
          requestFingerprint: idempotencyKey
            ? fingerprint(
                type,
                creditsType,
                credits,
                reason,
                ...(requestFingerprint ? [requestFingerprint] : []),
                ...(parsed.expiresAt ? [{ expiresAt: parsed.expiresAt.toISOString() }] : []),
              )
            : null,
          metadata,
        },
      ),
    ),
    { wallet, credits, idempotencyKey },
  );
  return { ...toCreditsBalance(outcome.balances!), transactionId: String(outcome.entry.id), lotId: outcome.lotId };
}

const returnUrl = storableString().trim().min(1, { message: 'must not be empty' }).max(2048, { message: 'must be at most 2048 characters' });
const buyer = { userId: userIdSchema.shape.userId, organizationId: organizationIdSchema, currency: currencyChoiceSchema };
const checkoutSchema = z.union([
  z.object({ ...buyer, packageId: storableString().min(1).max(100) }),
  z.object({
    ...buyer,
    credits: z
      .number({ message: 'must be a number' })
      .int({ message: 'must be a whole number' })
      .positive({ message: 'must be greater than zero' })
      .max(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
  }),
]);
const returnUrlsSchema = z.object({ successUrl: returnUrl, cancelUrl: returnUrl });

/**
 * Who buys (`userId`) and, for an organisation's wallet, which organisation (the buyer must be an
 * owner or admin); `currency` is the buyer's explicit choice among `billing.credits.currencies`
 * (remembered for next time).
 */
export type CheckoutRequest = { userId: string; organizationId?: string; currency?: string } & ({ packageId: string } | { credits: number });
/**
 * The optional parts of Checkout that `billing.credits` switches on: promotion codes, Stripe Tax (with
 * the billing address and tax ids it needs, saved on the customer), tax ids alone, and an invoice per
 * purchase. None of them changes the credits a purchase buys.
 */
function checkoutOptions(
  config: Pick<typeof appConfig.billing.credits, 'allowPromotionCodes' | 'automaticTax' | 'taxIdCollection' | 'invoiceCreation'>,
  metadata: Record<string, string>,
): Partial<Stripe.Checkout.SessionCreateParams> {
  return {
    ...(config.allowPromotionCodes && { allow_promotion_codes: true }),
    ...(config.automaticTax && { automatic_tax: { enabled: true }, billing_address_collection: 'required' as const }),
    ...((config.automaticTax || config.taxIdCollection) && {
      tax_id_collection: { enabled: true },
      // Stripe requires these with an existing customer: the address and business name entered are saved on it.
      customer_update: { address: 'auto' as const, name: 'auto' as const },
    }),
    ...(config.invoiceCreation && { invoice_creation: { enabled: true, invoice_data: { metadata } } }),
  };
}

export interface CheckoutSession {
  id: string;
  /** Where to send the buyer: Stripe Checkout, or the simulator's page. */
  url: string;
}

/**
 * Starts a purchase: a package by id (priced by its Stripe `priceId`), or a manual number of credits
 * when `enterManually` is on (priced here from `pricePerCredit`, within Stripe's minimum charge and
 * `maxManualCredits`). The price is decided on the server; the pending purchase is recorded, with
 * those credits and that amount, before the checkout session is created, and fulfilment later
 * credits from that record.
 *
 * The return URLs must be on `APP_URL`'s origin: a path (`/dashboard?billing=success`) or an absolute
 * URL there; anything else throws `InvalidReturnUrlError` (no open redirects through checkout).
 *
 * Throws `UnknownPackageError`, `ManualTopUpDisabledError`, `TopUpOutOfRangeError`,
 * `InvalidReturnUrlError`, `InvalidCreditsInputError`, `UserNotFoundError` or, past
 * `rateLimits.checkoutPerUser`, `RateLimitedError` before calling Stripe.
 */
export async function createCreditsCheckoutSession(
  request: CheckoutRequest,
  urls: { successUrl: string; cancelUrl: string },
  options: {
    /** The buyer's locales, best first (from Accept-Language): the default currency when none was chosen. */
    locales?: readonly string[];
  } = {},
): Promise<CheckoutSession> {
  const input = parseCreditsInput(checkoutSchema, request);
  const config = appConfig.billing.credits;
  if (input.currency && !config.currencies.includes(input.currency)) throw new UnsupportedCurrencyError(input.currency, config.currencies);
  const returnTo = parseCreditsInput(returnUrlsSchema, urls);
  // Checked here, not only by the server action: this is the API integrators call.
  const appOrigin = new URL(env.APP_URL).origin;
  const successUrl = resolveReturnUrl(returnTo.successUrl, appOrigin);
  const cancelUrl = resolveReturnUrl(returnTo.cancelUrl, appOrigin);
  // Every checkout records a pending purchase: a user cannot make rows without end.
  const verdict = await consumeRateLimit('checkout-per-user', input.userId, appConfig.rateLimits.checkoutPerUser);
  if (!verdict.allowed) throw new RateLimitedError('checkouts per user', verdict.retryAfterSeconds);

  const db = await getDb();
  const [user] = await db.select({ email: users.email, preferredCurrency: users.preferredCurrency }).from(users).where(eq(users.id, input.userId));
  if (!user) throw new UserNotFoundError(input.userId);
  if (input.organizationId) await requireMember(db, input.organizationId, input.userId, MANAGER_ROLES);
  const currency = input.currency ?? defaultBuyerCurrency(config, user.preferredCurrency, options.locales);

  // `multiCurrency`: the package has prices in more than one currency (Stripe then needs the currency named).
  let order: { packageId: string | null; priceId: string | null; name: string; credits: number; amountMinor: number; currency: string; multiCurrency: boolean };
  if ('packageId' in input) {
    const pkg = findCreditPackage(input.packageId);
    if (!pkg) throw new UnknownPackageError(input.packageId);
    const price = packagePrice(pkg, currency);
    order = {
      packageId: pkg.id,
      priceId: price.priceId,
      name: pkg.name,
      credits: pkg.creditsAmount,
      amountMinor: price.amountMinor,
      currency: price.currency,
      multiCurrency: Object.keys(pkg.pricesMinor).length > 1,
    };
  } else {
    if (!config.enterManually) throw new ManualTopUpDisabledError();
    const manual = manualTopUpIn(config, currency) ?? manualTopUpIn(config, config.currency)!;
    const { minCredits, maxCredits } = manualTopUpLimits(manual);
    if (input.credits < minCredits || input.credits > maxCredits) throw new TopUpOutOfRangeError(input.credits, minCredits, maxCredits);
    order = {
      packageId: null,
      priceId: null,
      name: purchaseItemName({ packageId: null, credits: input.credits }),
      credits: input.credits,
      amountMinor: priceForCredits(input.credits, manual),
      multiCurrency: false,
      currency: manual.currency,
    };
  }
  // The explicit choice is remembered for the next checkout; a default is not a choice.
  if (input.currency && input.currency !== user.preferredCurrency) {
    await db.update(users).set({ preferredCurrency: input.currency }).where(eq(users.id, input.userId));
  }
  const wallet = walletOf({ userId: input.userId, organizationId: input.organizationId });
  // One Stripe Customer per wallet, made before anything is recorded: Stripe down leaves no pending purchase.
  const customerId = await ensureWalletCustomer(db, wallet.walletId).catch(asCheckoutUnavailable);

  const [purchase] = await db
    .insert(creditPurchases)
    .values({
      userId: input.userId,
      walletId: wallet.walletId,
      packageId: order.packageId,
      credits: order.credits,
      amountMinor: order.amountMinor,
      currency: order.currency,
      successUrl,
      cancelUrl,
    })
    .returning({ id: creditPurchases.id });
  const purchaseId = purchase!.id;

  const gateway = getPaymentsGateway();
  let session: CheckoutSession;
  if (gateway.kind === 'simulator') {
    const id = `cs_sim_${purchaseId.replaceAll('-', '')}`;
    session = { id, url: new URL(`/checkout/simulator/${id}`, successUrl).toString() };
  } else {
    const metadata = {
      purchaseId,
      userId: input.userId,
      ...(input.organizationId && { organizationId: input.organizationId }),
      packageId: order.packageId ?? '',
      credits: String(order.credits),
    };
    const created = await gateway.stripe.checkout.sessions
      .create(
        {
          mode: 'payment',
          line_items: order.priceId
            ? [{ price: order.priceId, quantity: 1 }]
            : [{ price_data: { currency: order.currency, unit_amount: order.amountMinor, product_data: { name: order.name } }, quantity: 1 }],
          // A price with `currency_options` is charged in the currency named here.
          ...(order.multiCurrency && { currency: order.currency }),
          client_reference_id: input.userId,
          customer: customerId,
          metadata,
          payment_intent_data: { metadata },
          ...checkoutOptions(config, metadata),
          success_url: successUrl,
          cancel_url: cancelUrl,
        },
        // A retried request for this purchase returns the same session instead of opening a second.
        { idempotencyKey: `credits-checkout:${purchaseId}`, timeout: STRIPE_TIMEOUT_MS },
      )
      .catch(async (error: unknown) => {
        await db.update(creditPurchases).set({ status: 'failed', updatedAt: new Date() }).where(eq(creditPurchases.id, purchaseId));
        // Stripe down, rate-limited or erroring is the buyer's "try again"; a request Stripe calls
        // invalid (an unknown priceId, say) is our misconfiguration and stays a loud failure.
        if (error instanceof Stripe.errors.StripeError && !(error instanceof Stripe.errors.StripeInvalidRequestError)) {
          throw new CheckoutUnavailableError({ cause: error });
        }
        throw error;
      });
    if (!created.url) throw new Error(`Stripe returned checkout session ${created.id} without a URL`);
    session = { id: created.id, url: created.url };
  }
  await db.update(creditPurchases).set({ stripeCheckoutSessionId: session.id, updatedAt: new Date() }).where(eq(creditPurchases.id, purchaseId));
  return session;
}
