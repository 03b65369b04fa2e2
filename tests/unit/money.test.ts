import { describe, expect, it } from 'vitest';

import { formatMoney, minorUnitDigits, stripeMinimumChargeMinor, toMinorUnits } from '@/shared/lib/money';

describe('toMinorUnits', () => {
  it('reads the decimal digits instead of multiplying floats', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(toMinorUnits(0.29, 'usd')).toBe(29);
    expect(toMinorUnits(1.1, 'usd')).toBe(110);
    expect(toMinorUnits(10, 'usd')).toBe(1000);
    expect(toMinorUnits(1.23, 'kwd')).toBe(1230);
  });

  it('follows Stripe’s API, not ISO 4217: ISK and HUF are two-decimal there, in whole units only', () => {
    expect(minorUnitDigits('isk')).toBe(2);
    expect(minorUnitDigits('huf')).toBe(2);
    expect(toMinorUnits(1500, 'isk')).toBe(150_000);
    expect(toMinorUnits(1500, 'huf')).toBe(150_000);
    expect(toMinorUnits(10.5, 'isk')).toBeNull();
    expect(toMinorUnits(10.5, 'huf')).toBeNull();
  });

  it('keeps zero-decimal currencies in whole units', () => {
    expect(minorUnitDigits('jpy')).toBe(0);
    expect(minorUnitDigits('ugx')).toBe(0);
    expect(toMinorUnits(500, 'jpy')).toBe(500);
    expect(toMinorUnits(0.5, 'jpy')).toBeNull();
  });

  it('gives three-decimal currencies a trailing zero, as Stripe requires', () => {
    expect(minorUnitDigits('kwd')).toBe(3);
    expect(toMinorUnits(5.12, 'kwd')).toBe(5120);
    expect(toMinorUnits(5.124, 'kwd')).toBeNull();
    expect(toMinorUnits(5.124, 'bhd')).toBeNull();
  });

  it('returns null for amounts that are not whole minor units or not finite', () => {
    expect(toMinorUnits(0.001, 'usd')).toBeNull();
    expect(toMinorUnits(1e-7, 'usd')).toBeNull();
    expect(toMinorUnits(Number.NaN, 'usd')).toBeNull();
    expect(toMinorUnits(Number.POSITIVE_INFINITY, 'usd')).toBeNull();
  });
});

describe('formatMoney', () => {
  it('formats integer minor units exactly', () => {
    expect(formatMoney(1000, 'usd')).toBe('$10.00');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(formatMoney(-250, 'eur')).toBe('-€2.50');
  });

  it('shows ISK and HUF in whole units from Stripe’s two-decimal amounts', () => {
    // Intl puts a no-break space after the code.
    expect(formatMoney(150_000, 'isk')).toBe('ISK\u00a01,500');
    expect(formatMoney(17_500, 'huf')).toBe('HUF\u00a0175');
    expect(formatMoney(5120, 'kwd')).toBe('KWD\u00a05.120');
  });
});

describe('stripeMinimumChargeMinor', () => {
  it('knows Stripe’s minimum per currency, in that currency’s API units', () => {
    expect(stripeMinimumChargeMinor('usd')).toBe(50);
    expect(stripeMinimumChargeMinor('gbp')).toBe(30);
    expect(stripeMinimumChargeMinor('jpy')).toBe(50);
    expect(stripeMinimumChargeMinor('huf')).toBe(17_500);
    expect(stripeMinimumChargeMinor('mxn')).toBe(1000);
  });

  it('does not guess for a currency whose minimum follows the exchange rate', () => {
    expect(stripeMinimumChargeMinor('kwd')).toBeNull();
  });
});
