import { randomUUID } from 'node:crypto';

import { and, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { findCreditPackage } from '@/features/common/payments/credit-packages';
import { defaultBuyerCurrency, packagePrice } from '@/features/common/payments/pricing';
import {
  AutoTopUpDisabledError,
  AutoTopUpPriceChangedError,
  InvalidCreditsInputError,
  NoSavedCardError,
  RateLimitedError,
  UnknownPackageError,
  UnsupportedCurrencyError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import { currencyChoiceSchema, parseCreditsInput, storableString, walletOwnerSchema } from '@/features/common/payments/service/credits-input.schema';
import { enqueueJob, runJobsSoon } from '@/features/common/payments/service/jobs/jobs';
import { walletOf, type WalletRef } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet, MANAGER_ROLES, requireMember } from '@/features/common/payments/service/organizations/membership';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { asCheckoutUnavailable, callStripe, ensureWalletCustomer, STRIPE_TIMEOUT_MS } from '@/features/common/payments/service/stripe-customer';
import { creditsPageUrl } from '@/features/common/payments/service/credits-page-url';
import { getDb, type Executor } from '@/shared/db/client';
import { autoTopUps, creditBalances, creditPurchases, users, type AutoTopUp } from '@/shared/db/schema';
import { consumeRateLimit } from '@/shared/lib/rate-limit';
import { formatMoney } from '@/shared/lib/money';

/*
 * Auto top-up: "when my balance falls below N, buy this pack for $X with my saved card, at most M
 * times a month". This file keeps the settings and the card; `charge.ts` makes the charges.
 *
 * How a charge comes about: while auto top-up is on and not paused, the wallet's balance row carries
 * its threshold (`credit_balances.auto_top_up_threshold`), and a trigger queues one `auto_top_up` job
 * in the transaction of the change that crosses it (drizzle/0018). The job runs after commit.
 */

/** Why auto top-up stopped by itself. */
export type AutoTopUpPauseReason = 'payment_failed' | 'card_removed' | 'price_changed';

export interface SavedCard {
  brand: string;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
}

/** A pack auto top-up can buy, priced as it would be charged. */
export interface AutoTopUpChoice {
  packageId: string;
  name: string;
  credits: number;
  amountMinor: number;
  currency: string;
  /** "$10.00". */
  amountText: string;
}

export interface AutoTopUpSettings {
  /** `billing.credits.autoTopUp.enabled`: whether the app offers auto top-up at all. */
  offered: boolean;
  /** On: it charges on the next crossing, unless paused. */
  enabled: boolean;
  /** Set when it stopped by itself; turning it on again (or saving a card) resumes it. */
  paused: { at: string; reason: AutoTopUpPauseReason } | null;
  thresholdCredits: number | null;
  packageId: string | null;
  credits: number | null;
  /** What each automatic charge is, as agreed when it was turned on. */
  amountMinor: number | null;
  currency: string | null;
  amountText: string | null;
  maxPerMonth: number | null;
  /** Automatic top-ups charged (or being charged) this calendar month, UTC. */
  usedThisMonth: number;
  card: SavedCard | null;
  /** The last automatic charge that failed, if the last one did. */
  lastFailure: { code: string; message: string; at: string } | null;
  /** The packs on offer, in the wallet's currency. */
  choices: AutoTopUpChoice[];
  /** `billing.credits.autoTopUp.maxPerMonth`: the most a user may choose for `maxPerMonth`. */
  maxPerMonthLimit: number;
}

const wholeNumber = (what: string) => z.number({ message: 'must be a number' }).int({ message: `must be a whole number of ${what}` });
const settingsSchema = walletOwnerSchema.extend({
  thresholdCredits: wholeNumber('credits').min(1, { message: 'must be at least 1' }).max(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
  packageId: storableString().min(1, { message: 'must not be empty' }).max(100, { message: 'must be at most 100 characters' }),
  maxPerMonth: wholeNumber('top-ups').min(1, { message: 'must be at least 1' }).max(100, { message: 'must be at most 100' }),
  /** The amount the user was shown and agreed to, in minor units: the charge is exactly this or nothing. */
  expectedAmountMinor: wholeNumber('minor units').positive({ message: 'must be greater than zero' }).max(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
  currency: currencyChoiceSchema,
});

export type SetAutoTopUpInput = z.input<typeof settingsSchema>;

function requireOffered(): void {
  if (!appConfig.billing.credits.autoTopUp.enabled) throw new AutoTopUpDisabledError();
}

/** The start of the calendar month (UTC) `at` falls in: auto top-up's monthly limit counts from here. */
function startOfUtcMonth(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** Purchases that count towards the monthly limit: charged, being charged, or paid and under review. */
const COUNTED_STATUSES = ['pending', 'paid', 'needs_review'] as const;

/** Automatic top-ups of a wallet this calendar month (UTC) that count towards its limit. */
export async function autoTopUpsThisMonth(executor: Executor, walletId: string, now = new Date()): Promise<number> {
  const [row] = await executor
    .select({ n: count() })
    .from(creditPurchases)
    .where(
      and(
        eq(creditPurchases.walletId, walletId),
        eq(creditPurchases.kind, 'auto_top_up'),
        gte(creditPurchases.createdAt, startOfUtcMonth(now)),
        inArray(creditPurchases.status, [...COUNTED_STATUSES]),
      ),
    );
  return Number(row?.n ?? 0);
}

/** Checks who may see (members) or change (a personal wallet's user; an organisation's owners and admins) a wallet's auto top-up. */
export async function authoriseAutoTopUp(executor: Executor, wallet: WalletRef, change: boolean): Promise<void> {
  if (wallet.organizationId) {
    await requireMember(executor, wallet.organizationId, wallet.userId!, change ? MANAGER_ROLES : undefined);
    return;
  }
  await assertCanReadWallet(executor, wallet);
  const [user] = await executor.select({ id: users.id }).from(users).where(eq(users.id, wallet.userId!));
  if (!user) throw new UserNotFoundError(wallet.userId!);
}

/** The packs auto top-up can buy, priced in `currency` where a pack has a price in it. */
function autoTopUpChoices(currency: string | null | undefined): AutoTopUpChoice[] {
  return appConfig.billing.credits.packages.map((pkg) => {
    const price = packagePrice(pkg, currency);
    return {
      packageId: pkg.id,
      name: pkg.name,
      credits: pkg.creditsAmount,
      amountMinor: price.amountMinor,
      currency: price.currency,
      amountText: formatMoney(price.amountMinor, price.currency),
    };
  });
}

function cardOf(row: AutoTopUp | undefined): SavedCard | null {
  if (!row?.paymentMethodId) return null;
  return { brand: row.cardBrand ?? 'card', last4: row.cardLast4 ?? '????', expMonth: row.cardExpMonth, expYear: row.cardExpYear };
}

/** The currency the user asked for (if the app sells in it), else their default as at checkout. */
async function walletCurrency(executor: Executor, userId: string, requested?: string): Promise<string> {
  const config = appConfig.billing.credits;
  if (requested) {
    if (!config.currencies.includes(requested)) throw new UnsupportedCurrencyError(requested, config.currencies);
    return requested;
  }
  const [user] = await executor.select({ preferred: users.preferredCurrency }).from(users).where(eq(users.id, userId));
  return defaultBuyerCurrency(config, user?.preferred);
}

/**
 * The auto top-up of a user's wallet (with `organizationId`, of an organisation they belong to): its
 * settings, the saved card, this month's count and the packs on offer in the wallet's currency.
 */
export async function getAutoTopUp(input: { userId: string; organizationId?: string; currency?: string }): Promise<AutoTopUpSettings> {
  const { userId, organizationId, currency: requested } = parseCreditsInput(walletOwnerSchema.extend({ currency: currencyChoiceSchema }), input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, false);
  const [[row], used, [failure], currency] = await Promise.all([
    db.select().from(autoTopUps).where(eq(autoTopUps.walletId, wallet.walletId)),
    autoTopUpsThisMonth(db, wallet.walletId),
    db
      .select({ status: creditPurchases.status, code: creditPurchases.failureCode, message: creditPurchases.failureMessage, at: creditPurchases.updatedAt })
      .from(creditPurchases)
      .where(and(eq(creditPurchases.walletId, wallet.walletId), eq(creditPurchases.kind, 'auto_top_up')))
      .orderBy(desc(creditPurchases.createdAt))
      .limit(1),
    walletCurrency(db, userId, requested),
  ]);
  const config = appConfig.billing.credits.autoTopUp;
  return {
    offered: config.enabled,
    enabled: row?.enabled ?? false,
    paused: row?.pausedAt ? { at: row.pausedAt.toISOString(), reason: (row.pauseReason ?? 'payment_failed') as AutoTopUpPauseReason } : null,
    thresholdCredits: row?.thresholdCredits ?? null,
    packageId: row?.packageId ?? null,
    credits: row?.credits ?? null,
    amountMinor: row?.amountMinor ?? null,
    currency: row?.currency ?? null,
    amountText: row?.amountMinor && row.currency ? formatMoney(row.amountMinor, row.currency) : null,
    maxPerMonth: row?.maxPerMonth ?? null,
    usedThisMonth: used,
    card: cardOf(row),
    lastFailure:
      failure?.status === 'failed' && failure.code ? { code: failure.code, message: failure.message ?? failure.code, at: failure.at.toISOString() } : null,
    choices: autoTopUpChoices(row?.enabled && row.currency ? row.currency : currency),
    maxPerMonthLimit: config.maxPerMonth,
  };
}

/**
 * Turns auto top-up on (or changes it): when available credits fall below `thresholdCredits`, buy
 * `packageId` with the saved card for `expectedAmountMinor` — the amount the user was shown — at most
 * `maxPerMonth` times a calendar month (UTC). Turning it on resumes a paused one and clears its
 * failures. If the balance is already below the threshold when it is turned on, the first top-up
 * runs now.
 *
 * Throws, writing nothing: `NoSavedCardError` (save a card first: `startCardSetup`),
 * `AutoTopUpPriceChangedError` (the price is not the amount agreed to), `UnknownPackageError`,
 * `UnsupportedCurrencyError`, `InvalidCreditsInputError` (also `maxPerMonth` above
 * `billing.credits.autoTopUp.maxPerMonth`), `AutoTopUpDisabledError`, and for an organisation's wallet
 * the membership errors (owners and admins only).
 */
export async function setAutoTopUp(input: SetAutoTopUpInput): Promise<AutoTopUpSettings> {
  const parsed = parseCreditsInput(settingsSchema, input);
  requireOffered();
  const limit = appConfig.billing.credits.autoTopUp.maxPerMonth;
  if (parsed.maxPerMonth > limit) throw new InvalidCreditsInputError([{ path: 'maxPerMonth', message: `must be at most ${limit}` }]);
  const pkg = findCreditPackage(parsed.packageId);
  if (!pkg) throw new UnknownPackageError(parsed.packageId);
  const wallet = walletOf({ userId: parsed.userId, organizationId: parsed.organizationId });
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, true);
  const price = packagePrice(pkg, await walletCurrency(db, parsed.userId, parsed.currency));
  if (price.amountMinor !== parsed.expectedAmountMinor) throw new AutoTopUpPriceChangedError(parsed.expectedAmountMinor, price.amountMinor, price.currency);

  const queued = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(autoTopUps).where(eq(autoTopUps.walletId, wallet.walletId)).for('update');
    if (!current?.paymentMethodId) throw new NoSavedCardError(wallet.walletId);
    const resumed = !current.enabled || current.pausedAt !== null;
    await tx
      .update(autoTopUps)
      .set({
        enabled: true,
        thresholdCredits: parsed.thresholdCredits,
        packageId: pkg.id,
        credits: pkg.creditsAmount,
        amountMinor: price.amountMinor,
        currency: price.currency,
        maxPerMonth: parsed.maxPerMonth,
        consecutiveFailures: 0,
        pausedAt: null,
        pauseReason: null,
        enabledBy: parsed.userId,
        updatedAt: new Date(),
      })
      .where(eq(autoTopUps.walletId, wallet.walletId));
    const [balance] = await tx
      .update(creditBalances)
      .set({ autoTopUpThreshold: parsed.thresholdCredits })
      .where(eq(creditBalances.walletId, wallet.walletId))
      .returning({ available: sql<number>`${creditBalances.purchased} + ${creditBalances.bonus}`.mapWith(Number) });
    if (!balance) throw new UserNotFoundError(parsed.userId);
    // Already below the threshold when turned on: no crossing will come, so the first top-up runs now.
    if (resumed && balance.available < parsed.thresholdCredits) {
      await enqueueJob(tx, {
        kind: 'auto_top_up',
        reference: `${wallet.walletId}:enabled:${randomUUID()}`,
        walletId: wallet.walletId,
        payload: { walletId: wallet.walletId, threshold: parsed.thresholdCredits, availableAfter: balance.available, crossedAt: new Date().toISOString() },
      });
      return true;
    }
    return false;
  });
  if (queued) runJobsSoon();
  return getAutoTopUp({ userId: parsed.userId, organizationId: parsed.organizationId, currency: price.currency });
}

/** Turns auto top-up off (the card stays saved, the settings are kept for next time). Idempotent. */
export async function disableAutoTopUp(input: { userId: string; organizationId?: string }): Promise<AutoTopUpSettings> {
  const { userId, organizationId } = parseCreditsInput(walletOwnerSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, true);
  await db.transaction(async (tx) => {
    await tx
      .update(autoTopUps)
      .set({ enabled: false, pausedAt: null, pauseReason: null, updatedAt: new Date() })
      .where(eq(autoTopUps.walletId, wallet.walletId));
    await tx.update(creditBalances).set({ autoTopUpThreshold: null }).where(eq(creditBalances.walletId, wallet.walletId));
  });
  return getAutoTopUp({ userId, organizationId });
}

/** The simulator's stand-in for Checkout in setup mode and the customer portal, for the wallet. */
function simulatorCardUrl(organizationId: string | undefined): string {
  return new URL(`/checkout/simulator/card${organizationId ? `?organization=${organizationId}` : ''}`, env.APP_URL).toString();
}

/**
 * Starts saving a card for auto top-up: Stripe Checkout in `setup` mode for the wallet's Stripe
 * Customer (the simulator's card page offline), returning the URL to send the user to. The card is
 * stored when Stripe reports the SetupIntent succeeded (`setup_intent.succeeded`), not on return.
 * Counts against `rateLimits.checkoutPerUser`. Stripe slow or down: `CheckoutUnavailableError`.
 */
export async function startCardSetup(input: { userId: string; organizationId?: string; currency?: string }): Promise<{ url: string }> {
  const { userId, organizationId, currency: requested } = parseCreditsInput(walletOwnerSchema.extend({ currency: currencyChoiceSchema }), input);
  requireOffered();
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, true);
  const verdict = await consumeRateLimit('checkout-per-user', userId, appConfig.rateLimits.checkoutPerUser);
  if (!verdict.allowed) throw new RateLimitedError('checkouts per user', verdict.retryAfterSeconds);
  const currency = await walletCurrency(db, userId, requested);
  const customer = await ensureWalletCustomer(db, wallet.walletId).catch(asCheckoutUnavailable);
  const gateway = getPaymentsGateway();
  if (gateway.kind === 'simulator') return { url: simulatorCardUrl(organizationId) };
  const metadata = { walletId: wallet.walletId, purpose: 'auto_top_up' };
  const session = await callStripe('create card setup session', () =>
    gateway.stripe.checkout.sessions.create(
      {
        mode: 'setup',
        customer,
        currency,
        metadata,
        setup_intent_data: { metadata, description: `${appConfig.name}: card for automatic top-ups` },
        success_url: creditsPageUrl('?card=saved#auto-top-up'),
        cancel_url: creditsPageUrl('#auto-top-up'),
      },
      { timeout: STRIPE_TIMEOUT_MS },
    ),
  ).catch(asCheckoutUnavailable);
  if (!session.url) throw new Error(`Stripe returned setup session ${session.id} without a URL`);
  return { url: session.url };
}

/**
 * Opens Stripe's customer portal for the wallet's customer, where saved cards are added, replaced
 * and removed (the simulator's card page offline). A removed card pauses auto top-up
 * (`payment_method.detached`). Stripe slow or down: `CheckoutUnavailableError`.
 */
export async function openPaymentMethods(input: { userId: string; organizationId?: string }): Promise<{ url: string }> {
  const { userId, organizationId } = parseCreditsInput(walletOwnerSchema, input);
  requireOffered();
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, true);
  const gateway = getPaymentsGateway();
  if (gateway.kind === 'simulator') return { url: simulatorCardUrl(organizationId) };
  const customer = await ensureWalletCustomer(db, wallet.walletId).catch(asCheckoutUnavailable);
  const session = await callStripe('create customer portal session', () =>
    gateway.stripe.billingPortal.sessions.create({ customer, return_url: creditsPageUrl('#auto-top-up') }, { timeout: STRIPE_TIMEOUT_MS }),
  ).catch(asCheckoutUnavailable);
  return { url: session.url };
}
