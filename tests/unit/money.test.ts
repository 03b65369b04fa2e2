import { describe, expect, it } from 'vitest';

import { formatMoney, toMinorUnits } from '@/shared/lib/money';

describe('toMinorUnits', () => {
  it('reads the decimal digits instead of multiplying floats', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(toMinorUnits(0.29, 'usd')).toBe(29);
    expect(toMinorUnits(1.1, 'usd')).toBe(110);
    expect(toMinorUnits(10, 'usd')).toBe(1000);
    expect(toMinorUnits(1.234, 'kwd')).toBe(1234);
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
});
