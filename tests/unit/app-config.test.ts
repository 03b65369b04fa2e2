import { describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import { AppConfigError, parseAppConfig, type AppConfigInput } from '@/config/app-config.schema';

const appConfigInputRateLimits = {
  magicLinkPerEmail: { requests: 5, windowSeconds: 900 },
  magicLinkPerIp: { requests: 60, windowSeconds: 3600 },
  checkoutPerUser: { requests: 20, windowSeconds: 3600 },
  paidRequestPerUser: { requests: 60, windowSeconds: 60 },
};

const starter = {
  id: 'starter',
  priceId: 'price_starter',
  name: 'Starter Pack',
  description: '1000 credits for $10',
  amount: 10,
  currency: 'usd',
  creditsAmount: 1000,
};

function configWith(credits: Partial<AppConfigInput['billing']['credits']>): AppConfigInput {
  return { name: 'Test', billing: { credits: { enabled: true, pricePerCredit: 0.01, packages: [starter], ...credits } }, rateLimits: appConfigInputRateLimits };
}

function problemsOf(input: AppConfigInput): string[] {
  try {
    parseAppConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppConfigError);
    return (error as AppConfigError).problems;
  }
  throw new Error('expected parseAppConfig to throw');
}

describe('parseAppConfig', () => {
  it('converts prices to integer minor units once, at load', () => {
    const { credits } = parseAppConfig(configWith({ pricePerCredit: 0.29, packages: [{ ...starter, amount: 19.99 }] })).billing;
    expect(credits.pricePerCreditMinor).toBe(29);
    expect(credits.packages[0]!.amountMinor).toBe(1999);
  });

  it('knows currencies without minor units', () => {
    const { credits } = parseAppConfig(configWith({ currency: 'jpy', pricePerCredit: 3, packages: [{ ...starter, currency: 'JPY', amount: 1500 }] })).billing;
    expect(credits.pricePerCreditMinor).toBe(3);
    expect(credits.packages[0]!.amountMinor).toBe(1500);
    expect(credits.packages[0]!.currency).toBe('jpy');
  });

  it('rejects a price that is not a whole number of minor units', () => {
    expect(problemsOf(configWith({ pricePerCredit: 0.005 }))).toEqual(['billing.credits.pricePerCredit 0.005 is not a whole number of USD minor units']);
    expect(problemsOf(configWith({ packages: [{ ...starter, currency: 'jpy', amount: 10.5 }] }))).toEqual([
      'billing.credits.packages.0.amount 10.5 is not a whole number of JPY minor units',
    ]);
  });

  it('prices ISK and HUF in Stripe’s two-decimal API units, and refuses fractions of them', () => {
    const isk = parseAppConfig(configWith({ currency: 'isk', pricePerCredit: 2, packages: [{ ...starter, currency: 'isk', amount: 1500 }] })).billing.credits;
    expect(isk.packages[0]!.amountMinor).toBe(150_000);
    expect(isk.pricePerCreditMinor).toBe(200);
    expect(problemsOf(configWith({ packages: [{ ...starter, currency: 'huf', amount: 999.5 }] }))).toEqual([
      'billing.credits.packages.0.amount 999.5 cannot be charged in HUF: Stripe charges only whole HUF',
    ]);
  });

  it('refuses a three-decimal price without its trailing zero', () => {
    expect(problemsOf(configWith({ packages: [{ ...starter, currency: 'kwd', amount: 5.125 }] }))).toEqual([
      'billing.credits.packages.0.amount 5.125 cannot be charged in KWD: Stripe takes KWD amounts to two decimal places (the third must be 0)',
    ]);
  });

  it('refuses a package below Stripe’s minimum charge in its currency', () => {
    expect(problemsOf(configWith({ packages: [{ ...starter, currency: 'gbp', amount: 0.29 }] }))).toEqual([
      "billing.credits.packages.0.amount is below Stripe's minimum charge in GBP (£0.30)",
    ]);
  });

  it('takes the manual top-up minimum from the currency, and asks for it where Stripe’s follows the exchange rate', () => {
    expect(parseAppConfig(configWith({ currency: 'gbp' })).billing.credits.minimumChargeMinor).toBe(30);
    expect(parseAppConfig(configWith({ currency: 'jpy', pricePerCredit: 1 })).billing.credits.minimumChargeMinor).toBe(50);
    expect(problemsOf(configWith({ currency: 'kwd', pricePerCredit: 0.01, enterManually: true }))).toEqual([
      "billing.credits.minimumCharge is required for manual top-ups in KWD: Stripe's minimum there is the equivalent of USD 0.50",
    ]);
    expect(parseAppConfig(configWith({ currency: 'kwd', pricePerCredit: 0.01, enterManually: true, minimumCharge: 0.15 })).billing.credits.minimumChargeMinor).toBe(150);
  });

  it('rejects duplicate package ids', () => {
    expect(problemsOf(configWith({ packages: [starter, { ...starter, name: 'Again' }] }))).toEqual([
      'billing.credits.packages.1.id "starter" is used by more than one package',
    ]);
  });

  it('rejects non-positive amounts and credits, and fractional credits', () => {
    expect(problemsOf(configWith({ packages: [{ ...starter, amount: 0, creditsAmount: -5 }] }))).toEqual([
      'billing.credits.packages.0.amount must be greater than zero',
      'billing.credits.packages.0.creditsAmount must be greater than zero',
    ]);
    expect(problemsOf(configWith({ packages: [{ ...starter, creditsAmount: 10.5 }] }))).toEqual([
      'billing.credits.packages.0.creditsAmount must be a whole number of credits',
    ]);
  });

  it('rejects unknown currency codes', () => {
    expect(problemsOf(configWith({ packages: [{ ...starter, currency: 'usdd' }] }))).toEqual([
      'billing.credits.packages.0.currency is not an ISO 4217 currency code (e.g. "usd", "eur")',
    ]);
  });

  it('rejects a rate limit that is not a positive whole number', () => {
    expect(problemsOf({ ...configWith({}), rateLimits: { ...appConfigInputRateLimits, checkoutPerUser: { requests: 0, windowSeconds: 1.5 } } })).toEqual([
      'rateLimits.checkoutPerUser.requests must be greater than zero',
      'rateLimits.checkoutPerUser.windowSeconds must be a whole number of seconds',
    ]);
  });

  it('leaves the deduction statements in flight to the pool by default, and takes a positive whole number', () => {
    expect(parseAppConfig(configWith({})).billing.credits.maxDeductionStatements).toBeNull();
    expect(parseAppConfig(configWith({ maxDeductionStatements: 4 })).billing.credits.maxDeductionStatements).toBe(4);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '4', [4], { n: 4 }, 'ALL'])(
    'refuses %s as the deduction statements in flight',
    (value) => {
      expect(problemsOf(configWith({ maxDeductionStatements: value as number })).join()).toMatch(/^billing\.credits\.maxDeductionStatements /);
    },
  );

  it('maps feature keys to labels, and has none by default', () => {
    expect(parseAppConfig(configWith({})).billing.credits.features).toEqual({});
    expect(parseAppConfig(configWith({ features: { generation: ' Image generation ' } })).billing.credits.features).toEqual({
      generation: 'Image generation',
    });
  });

  it('refuses a feature key deductions could not use, and an empty label', () => {
    expect(problemsOf(configWith({ features: { 'Image Generation': 'Images' } }))).toEqual([
      'billing.credits.features.Image Generation must be a short lowercase key such as "generation"',
    ]);
    expect(problemsOf(configWith({ features: { generation: '  ' } }))).toEqual(['billing.credits.features.generation must not be empty']);
  });

  it('accepts the shipped configuration', () => {
    expect(appConfig.billing.credits.packages.map((p) => [p.id, p.amountMinor, p.creditsAmount])).toEqual([
      ['starter', 1000, 1000],
      ['pro', 4000, 5000],
    ]);
  });
});
