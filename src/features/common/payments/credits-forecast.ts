import type { DailyCreditsUsage } from '@/features/common/payments/service/credits-usage.service';
import { formatCount } from '@/shared/lib/format-count';

/** How many days of use the forecast averages over (today included). */
export const FORECAST_WINDOW_DAYS = 14;

export type CreditsForecast =
  /** The balance lasts at least one more day at this pace: `days` whole days. */
  | { kind: 'days'; days: number; dailyAverage: number }
  /** At this pace the balance is gone within a day. */
  | { kind: 'under-a-day'; dailyAverage: number };

/**
 * How long `available` credits last at the average daily use of the last 14 days of `usage` (the
 * daily series ending today). Null when there was no use in those days, or nothing left to use: there
 * is no pace to extrapolate, or nothing to last.
 */
export function forecastCredits(available: number, usage: readonly DailyCreditsUsage[]): CreditsForecast | null {
  const recent = usage.slice(-FORECAST_WINDOW_DAYS);
  const used = recent.reduce((sum, day) => sum + day.credits, 0);
  if (used <= 0 || available <= 0) return null;
  const dailyAverage = used / FORECAST_WINDOW_DAYS;
  const days = available / dailyAverage;
  // Whole days, rounded down: "about 23 days" should not promise a day that is not there.
  return days < 1 ? { kind: 'under-a-day', dailyAverage } : { kind: 'days', days: Math.floor(days), dailyAverage };
}

/** The forecast in words: "At this pace your credits last about 23 days". */
export function describeForecast(forecast: CreditsForecast): string {
  if (forecast.kind === 'under-a-day') return 'At this pace your credits last less than a day';
  return `At this pace your credits last about ${formatCount(forecast.days)} ${forecast.days === 1 ? 'day' : 'days'}`;
}
