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
  })
  .transform((pkg, ctx) => {
    const amountMinor = toMinorUnits(pkg.amount, pkg.currency);
    if (amountMinor === null) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: priceProblem(pkg.amount, pkg.currency) });
      return z.NEVER;
    }
    const minimum = stripeMinimumChargeMinor(pkg.currency);
    if (minimum !== null && amountMinor < minimum) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `is below Stripe's minimum charge in ${pkg.currency.toUpperCase()} (${formatMoney(minimum, pkg.currency)})` });
      return z.NEVER;
    }
    return { ...pkg, amountMinor };
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
    /** How long a hold stays open unless settled or released first (at most 24 hours). */
    holdExpiresAfterSeconds: z.number().int({ message: 'must be a whole number of seconds' }).min(1).max(24 * 60 * 60).default(900),
    /** How many days before a lot of credits expires its owner is reminded (0: no reminders). */
    expiryReminderDays: z.number().int({ message: 'must be a whole number of days' }).min(0).max(365).default(7),
    /** Lots with fewer credits left than this expire without a reminder. */
    expiryReminderMinCredits: z.number().int({ message: 'must be a whole number of credits' }).min(1).max(Number.MAX_SAFE_INTEGER).default(1),
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
    return { ...credits, pricePerCreditMinor, minimumChargeMinor };
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

export const appConfigSchema = z.object({
  name: z.string().min(1),
  billing: z.object({ credits: creditsSchema }),
  rateLimits: rateLimitsSchema,
});

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
