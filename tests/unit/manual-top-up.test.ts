import { describe, expect, it } from 'vitest';

import { checkManualTopUp, manualTopUpLimits, priceForCredits, type ManualTopUpConfig } from '@/features/common/payments/manual-top-up';

const cent: ManualTopUpConfig = { enterManually: true, pricePerCreditMinor: 1, maxManualCredits: 1_000_000, currency: 'usd', minimumChargeMinor: 50 };

describe('manualTopUpLimits', () => {
  it('sets the minimum at the fewest credits that cost 50 minor units', () => {
    expect(manualTopUpLimits(cent)).toEqual({ minCredits: 50, maxCredits: 1_000_000 });
  });

  it('rounds the minimum up when the minimum charge is not a whole number of credits', () => {
    expect(manualTopUpLimits({ ...cent, pricePerCreditMinor: 3 }).minCredits).toBe(17);
  });

  it('needs only one credit when a single credit costs more than the minimum charge', () => {
    expect(manualTopUpLimits({ ...cent, pricePerCreditMinor: 199 }).minCredits).toBe(1);
  });

  it('takes the minimum charge of the currency, not a USD-like 50 minor units', () => {
    // GBP: Stripe's minimum is £0.30; JPY: ¥50; HUF: 175 Ft, which Stripe's API counts as 17500.
    expect(manualTopUpLimits({ ...cent, minimumChargeMinor: 30 }).minCredits).toBe(30);
    expect(manualTopUpLimits({ ...cent, pricePerCreditMinor: 100, minimumChargeMinor: 17500 }).minCredits).toBe(175);
  });

  it('takes the maximum from maxManualCredits', () => {
    expect(manualTopUpLimits({ ...cent, maxManualCredits: 5000 }).maxCredits).toBe(5000);
  });
});

describe('priceForCredits', () => {
  it('multiplies integer credits by the integer price per credit', () => {
    expect(priceForCredits(1234, cent)).toBe(1234);
    expect(priceForCredits(1234, { pricePerCreditMinor: 3 })).toBe(3702);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %s credits', (credits) => {
    expect(() => priceForCredits(credits, cent)).toThrow(RangeError);
  });

  it('refuses a price beyond the largest exact integer', () => {
    expect(() => priceForCredits(Number.MAX_SAFE_INTEGER, { pricePerCreditMinor: 2 })).toThrow(RangeError);
  });
});

describe('checkManualTopUp', () => {
  it('accepts an amount within the limits and prices it', () => {
    expect(checkManualTopUp(1234, cent)).toEqual({ ok: true, credits: 1234, amountMinor: 1234 });
  });

  it('accepts exactly the minimum and exactly the maximum', () => {
    expect(checkManualTopUp(50, cent).ok).toBe(true);
    expect(checkManualTopUp(1_000_000, cent).ok).toBe(true);
  });

  it('refuses an amount under the minimum, naming the minimum and its price', () => {
    expect(checkManualTopUp(49, cent)).toEqual({ ok: false, code: 'BELOW_MINIMUM', message: 'The minimum is 50 credits ($0.50).' });
  });

  it('refuses an amount over the maximum', () => {
    expect(checkManualTopUp(1_000_001, cent)).toMatchObject({ ok: false, code: 'ABOVE_MAXIMUM', message: 'The maximum is 1,000,000 credits.' });
  });

  it.each([0, -5])('refuses %s credits as under the minimum', (credits) => {
    expect(checkManualTopUp(credits, cent)).toMatchObject({ ok: false, code: 'BELOW_MINIMUM' });
  });

  it.each([10.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %s as not a whole number of credits', (credits) => {
    expect(checkManualTopUp(credits, cent)).toMatchObject({ ok: false, code: 'NOT_A_WHOLE_NUMBER' });
  });

  it('refuses every amount when manual top-ups are off', () => {
    expect(checkManualTopUp(1234, { ...cent, enterManually: false })).toMatchObject({ ok: false, code: 'MANUAL_TOP_UP_DISABLED' });
  });
});
