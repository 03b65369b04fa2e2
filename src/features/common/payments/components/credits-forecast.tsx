import { HourglassIcon } from 'lucide-react';

import { describeForecast, FORECAST_WINDOW_DAYS, type CreditsForecast } from '@/features/common/payments/credits-forecast';

const average = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** "At this pace your credits last about 23 days", or nothing when there is no pace to go by. */
export function CreditsForecastNote({ forecast }: { forecast: CreditsForecast | null }) {
  if (!forecast) return null;
  return (
    <p className="flex items-start gap-2 rounded-lg bg-muted px-3 py-2 text-sm" data-testid="credits-forecast">
      <HourglassIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
      <span>
        <span className="font-medium">{describeForecast(forecast)}</span>
        <span className="block text-xs text-muted-foreground">
          From your average of {average.format(forecast.dailyAverage)} credits a day over the last {FORECAST_WINDOW_DAYS} days.
        </span>
      </span>
    </p>
  );
}
