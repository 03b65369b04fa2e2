import { describe, expect, it } from 'vitest';

import { describeForecast, forecastCredits } from '@/features/common/payments/credits-forecast';

/** A 30-day series whose last `recent.length` days used `recent` credits. */
function series(recent: number[], older = 0) {
  const days = Array.from({ length: 30 }, (_, i) => ({ date: `d${i}`, credits: older }));
  recent.forEach((credits, i) => (days[30 - recent.length + i]!.credits = credits));
  return days;
}

describe('forecastCredits', () => {
  it('divides the balance by the average daily use of the last 14 days', () => {
    // 14 days × 10 credits = 10 a day; 230 credits last 23 days.
    const forecast = forecastCredits(230, series(Array(14).fill(10)));
    expect(forecast).toEqual({ kind: 'days', days: 23, dailyAverage: 10 });
    expect(describeForecast(forecast!)).toBe('At this pace your credits last about 23 days');
  });

  it('averages over all 14 days, days without use included, and ignores older use', () => {
    // 70 credits in the last 14 days (5 a day); the 1,000 a day before that do not count.
    expect(forecastCredits(100, series([...Array(13).fill(0), 70], 1000))).toEqual({
      kind: 'days',
      days: 20,
      dailyAverage: 5,
    });
  });

  it('rounds down to whole days, and says "1 day" for one', () => {
    expect(forecastCredits(29, series(Array(14).fill(10)))).toMatchObject({ kind: 'days', days: 2 });
    expect(describeForecast(forecastCredits(10, series(Array(14).fill(10)))!)).toBe('At this pace your credits last about 1 day');
  });

  it('says less than a day when the balance will not cover a day’s use', () => {
    const forecast = forecastCredits(9, series(Array(14).fill(10)));
    expect(forecast).toEqual({ kind: 'under-a-day', dailyAverage: 10 });
    expect(describeForecast(forecast!)).toBe('At this pace your credits last less than a day');
  });

  it('formats long runways with separators', () => {
    expect(describeForecast(forecastCredits(1_000_000, series([14]))!)).toBe('At this pace your credits last about 1,000,000 days');
  });

  it('has nothing to say without use in the last 14 days, or without credits', () => {
    expect(forecastCredits(500, series([], 0))).toBeNull();
    expect(forecastCredits(500, series(Array(14).fill(0), 50))).toBeNull();
    expect(forecastCredits(0, series(Array(14).fill(10)))).toBeNull();
  });
});
