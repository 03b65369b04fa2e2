import { z } from 'zod';

import { formatMoney, isKnownCurrency, minorUnitStep, stripeMinimumChargeMinor, toMinorUnits } from '@/shared/lib/money';

/**
 * The shape of `src/config/app.ts`, checked when the app loads. Decimal prices are converted to
 * integer minor units here, once; everything downstream uses `amountMinor` / `pricePerCreditMinor`.
 */

const currencySchema = z
  .string()
  .default('usd')
  .transform((code) => code.toLowerCase())
  .refine(isKnownCurrency, { message: 'is not an ISO 4217 currency code (e.g. "usd", "eur")' });

/** Why `amount` of `currency` cannot be a price (`toMinorUnits` refused it). */
function priceProblem(amount: number, currency: string): string {
  const step = minorUnitStep(currency);
  const code = currency.toUpperCase();
  if (step === 100) return `${amount} cannot be charged in ${code}: Stripe charges only whole ${code}`;
  if (step === 10) return `${amount} cannot be charged in ${code}: Stripe takes ${code} amounts to two decimal places (the third must be 0)`;
  return `${amount} is not a whole number of ${code} minor units`;
}
/** A feature key, as deductions and holds name it (`generation`, `export.pdf`). */
export const FEATURE_KEY = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

const positiveCredits = z
  .number()
  .int({ message: 'must be a whole number of credits' })
  .positive({ message: 'must be greater than zero' })
  .max(Number.MAX_SAFE_INTEGER);

const creditPackageSchema = z
  .object({
    id: z.string().min(1, { message: 'must not be empty' }),
    priceId: z.string().min(1, { message: 'must not be empty' }),
    name: z.string().min(1, { message: 'must not be empty' }),
    description: z.string().default(''),
    amount: z.number().positive({ message: 'must be greater than zero' }),
    currency: currencySchema,
    creditsAmount: positiveCredits,
    /** Days after purchase that this pack's credits lapse; omitted: they never do. */
    expiresAfterDays: z.number().int({ message: 'must be a whole number of days' }).min(1).max(36_500).optional(),
    /**
     * The pack's price in other currencies: `{ eur: { amount: 9, priceId: 'price_…' } }`. The
     * `priceId` may be the main one when that Stripe price has `currency_options` for the currency.
     */
    prices: z
      .record(
        z.string(),
        z.object({ amount: z.number().positive({ message: 'must be greater than zero' }), priceId: z.string().min(1, { message: 'must not be empty' }) }),
      )
      .default({}),
  })
  .transform((pkg, ctx) => {
    const pricesMinor: Record<string, { amountMinor: number; priceId: string }> = {};
    const entries: [string, { amount: number; priceId: string }, (string | number)[]][] = [
      [pkg.currency, { amount: pkg.amount, priceId: pkg.priceId }, ['amount']],
      ...Object.entries(pkg.prices).map(([code, price]): [string, { amount: number; priceId: string }, (string | number)[]] => [
        code,
        price,
        ['prices', code, 'amount'],
      ]),
    ];
    for (const [rawCode, price, path] of entries) {
      const code = rawCode.toLowerCase();
      if (!isKnownCurrency(code)) {
        ctx.addIssue({
          code: 'custom',
          path: path.slice(0, -1).length ? path.slice(0, -1) : ['currency'],
          message: 'is not an ISO 4217 currency code (e.g. "usd", "eur")',
        });
        continue;
      }
      if (pricesMinor[code] && path[0] === 'prices') {
        ctx.addIssue({ code: 'custom', path: path.slice(0, -1), message: `repeats the package's ${code.toUpperCase()} price` });
        continue;
      }
      const amountMinor = toMinorUnits(price.amount, code);
      if (amountMinor === null) {
        ctx.addIssue({ code: 'custom', path, message: priceProblem(price.amount, code) });
        continue;
      }
      const minimum = stripeMinimumChargeMinor(code);
      if (minimum !== null && amountMinor < minimum) {
        ctx.addIssue({ code: 'custom', path, message: `is below Stripe's minimum charge in ${code.toUpperCase()} (${formatMoney(minimum, code)})` });
        continue;
      }
      pricesMinor[code] = { amountMinor, priceId: price.priceId };
    }
    if (!pricesMinor[pkg.currency]) return z.NEVER;
    return { ...pkg, amountMinor: pricesMinor[pkg.currency]!.amountMinor, pricesMinor };
  });

const creditsSchema = z
  .object({
    enabled: z.boolean(),
    enterManually: z.boolean().default(false),
    pricePerCredit: z.number().positive({ message: 'must be greater than zero' }),
    /** Currency of manual top-ups (packages name their own). */
    currency: currencySchema,
    initialBonusCredits: z.number().int({ message: 'must be a whole number of credits' }).min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    /** Largest manual top-up, in credits. The smallest is set by Stripe's minimum charge. */
    maxManualCredits: positiveCredits.default(1_000_000),
    /**
     * Deductions for a wallet that arrive while one for it is in flight go to the database together,
     * as one statement, when it returns: many more per second on a hot wallet, same results.
     */
    batchDeductions: z.boolean().default(true),
    /**
     * With `batchDeductions`, how many deduction statements one process keeps in flight; further
     * deductions wait for one to return and then go together, any wallets' in one statement and one
     * commit. Default: the database pool's size (`DATABASE_POOL_MAX`), so they group only once every
     * connection is busy (null). Lower it toward the database's cores to group sooner.
     */
    maxDeductionStatements: z.number().int({ message: 'must be a whole number of statements' }).min(1).max(1000).nullable().default(null),
    /** How long a hold stays open unless settled or released first (at most 24 hours). */
    holdExpiresAfterSeconds: z
      .number()
      .int({ message: 'must be a whole number of seconds' })
      .min(1)
      .max(24 * 60 * 60)
      .default(900),
    /** How many days before a lot of credits expires its owner is reminded (0: no reminders). */
    expiryReminderDays: z.number().int({ message: 'must be a whole number of days' }).min(0).max(365).default(7),
    /** Lots with fewer credits left than this expire without a reminder. */
    expiryReminderMinCredits: z.number().int({ message: 'must be a whole number of credits' }).min(1).max(Number.MAX_SAFE_INTEGER).default(1),
    /**
     * The low-balance alert a new wallet starts with, in credits (0: off). Users change theirs on the
     * credits page; when available credits fall below it, one email and one `onCreditsLow` call follow.
     */
    lowBalanceAlertCredits: z.number().int({ message: 'must be a whole number of credits' }).min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    /**
     * Auto top-up with a saved card ("when my balance falls below N, buy this pack, at most M times a
     * month"), offered on the credits page. `maxPerMonth` is the most a user may choose for M.
     */
    autoTopUp: z
      .object({
        enabled: z.boolean().default(true),
        maxPerMonth: z.number().int({ message: 'must be a whole number' }).min(1).max(100).default(10),
        /** Failed automatic charges in a row after which auto top-up pauses until the user acts. */
        failuresBeforePause: z.number().int({ message: 'must be a whole number' }).min(1).max(10).default(2),
      })
      .default({ enabled: true, maxPerMonth: 10, failuresBeforePause: 2 }),
    /** Days after which bonus credits (the sign-up bonus, admin grants) lapse; omitted: never. */
    bonusExpiresAfterDays: z.number().int({ message: 'must be a whole number of days' }).min(1).max(36_500).optional(),
    /**
     * Stripe's smallest charge in `currency`, as a decimal. Known for the currencies Stripe lists a
     * minimum for (USD 0.50, GBP 0.30, JPY 50 …); any other currency needs it here when manual
     * top-ups are on (Stripe's rule there: the equivalent of USD 0.50).
     */
    minimumCharge: z.number().positive({ message: 'must be greater than zero' }).optional(),
    /**
     * What credits are spent on: the `feature` key a deduction or hold names → the label people see
     * (usage by feature on the credits page, exports). A key without a label is shown as itself.
     */
    features: z
      .record(z.string(), z.string().trim().min(1, { message: 'must not be empty' }).max(80, { message: 'must be at most 80 characters' }))
      .superRefine((features, ctx) => {
        for (const key of Object.keys(features)) {
          if (!FEATURE_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'must be a short lowercase key such as "generation"' });
        }
      })
      .default({}),
    /** Manual top-ups in other currencies: `{ eur: 0.009 }`, each against Stripe's minimum charge there. */
    pricesPerCredit: z.record(z.string(), z.number().positive({ message: 'must be greater than zero' })).default({}),
    /** Checkout accepts promotion codes made in the Stripe dashboard (`allow_promotion_codes`). */
    allowPromotionCodes: z.boolean().default(false),
    /** Stripe Tax adds tax at checkout (`automatic_tax`), collecting the billing address and tax ids. */
    automaticTax: z.boolean().default(false),
    /** Business buyers may enter a VAT or other tax id (`tax_id_collection`), also without `automaticTax`. */
    taxIdCollection: z.boolean().default(false),
    /** Every purchase gets a Stripe invoice (`invoice_creation`), linked from the receipt and the history. */
    invoiceCreation: z.boolean().default(false),
    packages: z.array(creditPackageSchema),
  })
  .transform((credits, ctx) => {
    const seen = new Set<string>();
    credits.packages.forEach((pkg, index) => {
      if (seen.has(pkg.id)) {
        ctx.addIssue({ code: 'custom', path: ['packages', index, 'id'], message: `"${pkg.id}" is used by more than one package` });
      }
      seen.add(pkg.id);
    });
    const pricePerCreditMinor = toMinorUnits(credits.pricePerCredit, credits.currency);
    if (pricePerCreditMinor === null) {
      ctx.addIssue({ code: 'custom', path: ['pricePerCredit'], message: priceProblem(credits.pricePerCredit, credits.currency) });
      return z.NEVER;
    }
    let minimumChargeMinor = stripeMinimumChargeMinor(credits.currency);
    if (credits.minimumCharge !== undefined) {
      minimumChargeMinor = toMinorUnits(credits.minimumCharge, credits.currency);
      if (minimumChargeMinor === null) {
        ctx.addIssue({ code: 'custom', path: ['minimumCharge'], message: priceProblem(credits.minimumCharge, credits.currency) });
        return z.NEVER;
      }
    }
    if (minimumChargeMinor === null) {
      if (credits.enterManually) {
        ctx.addIssue({
          code: 'custom',
          path: ['minimumCharge'],
          message: `is required for manual top-ups in ${credits.currency.toUpperCase()}: Stripe's minimum there is the equivalent of USD 0.50`,
        });
        return z.NEVER;
      }
      // Manual top-ups are off, so no manual amount is ever priced against it.
      minimumChargeMinor = pricePerCreditMinor;
    }
    /** Manual top-up prices per currency (the main `currency` first). */
    const manualPrices: Record<string, { pricePerCreditMinor: number; minimumChargeMinor: number }> = {
      [credits.currency]: { pricePerCreditMinor, minimumChargeMinor },
    };
    for (const [rawCode, price] of Object.entries(credits.pricesPerCredit)) {
      const code = rawCode.toLowerCase();
      const path = ['pricesPerCredit', rawCode];
      if (!isKnownCurrency(code)) {
        ctx.addIssue({ code: 'custom', path, message: 'is not an ISO 4217 currency code (e.g. "usd", "eur")' });
        continue;
      }
      const perCreditMinor = toMinorUnits(price, code);
      if (perCreditMinor === null) {
        ctx.addIssue({ code: 'custom', path, message: priceProblem(price, code) });
        continue;
      }
      const minimum = stripeMinimumChargeMinor(code);
      if (minimum === null && credits.enterManually) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `cannot be used for manual top-ups: Stripe's minimum charge in ${code.toUpperCase()} follows the exchange rate`,
        });
        continue;
      }
      manualPrices[code] = { pricePerCreditMinor: perCreditMinor, minimumChargeMinor: minimum ?? perCreditMinor };
    }
    // Every currency something can be bought in: the one the modal offers a choice of.
    const currencies = [
      ...new Set([
        credits.currency,
        ...credits.packages.flatMap((pkg) => Object.keys(pkg.pricesMinor)),
        ...(credits.enterManually ? Object.keys(manualPrices) : []),
      ]),
    ];
    return { ...credits, pricePerCreditMinor, minimumChargeMinor, manualPrices, currencies };
  });

const rateLimitSchema = z.object({
  requests: z.number().int({ message: 'must be a whole number' }).positive({ message: 'must be greater than zero' }),
  windowSeconds: z.number().int({ message: 'must be a whole number of seconds' }).positive({ message: 'must be greater than zero' }),
});

/** How often each abusable request may be made before it is answered 429 (with `Retry-After`). */
const rateLimitsSchema = z.object({
  /** Sign-in links sent to one address: stops email bombing. */
  magicLinkPerEmail: rateLimitSchema,
  /** Sign-in links requested from one IP address, to any addresses: protects the email quota. */
  magicLinkPerIp: rateLimitSchema,
  /** Checkouts one user starts (each records a pending purchase). */
  checkoutPerUser: rateLimitSchema,
  /** Paid requests one user makes to the example route (`/api/examples/generate`). */
  paidRequestPerUser: rateLimitSchema,
});

export const appConfigSchema = z.object({ name: z.string().min(1), billing: z.object({ credits: creditsSchema }), rateLimits: rateLimitsSchema });

export type AppConfigInput = z.input<typeof appConfigSchema>;
export type AppConfig = z.output<typeof appConfigSchema>;
export type CreditsConfig = AppConfig['billing']['credits'];
export type CreditPackage = CreditsConfig['packages'][number];

export class AppConfigError extends Error {
  readonly code = 'INVALID_APP_CONFIG';
  constructor(readonly problems: string[]) {
    super(`Invalid src/config/app.ts:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AppConfigError';
  }
}

/** Validates the product configuration; throws an `AppConfigError` naming each problem by its path. */
export function parseAppConfig(input: AppConfigInput): AppConfig {
  const result = appConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new AppConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
}
