import type { CreditsUsageReport, FeatureUsage } from '@/features/common/payments/service/credits-usage.service';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { cn } from '@/shared/lib/cn';
import { formatCount } from '@/shared/lib/format-count';

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

function dayLabel(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

/** Colours for the most-used features, in order; the rest share the last. */
const SWATCHES = ['bg-primary', 'bg-sky-500', 'bg-amber-500', 'bg-emerald-600', 'bg-rose-500', 'bg-muted-foreground'];

interface Series {
  /** The report's feature keys this series adds up (`""` stands for usage without a feature). */
  keys: string[];
  label: string;
  swatch: string;
}

/** One series per feature for the five most used, the rest together, so the colours stay tellable apart. */
export function chartSeries(features: FeatureUsage[]): Series[] {
  const own = features.length <= SWATCHES.length ? features : features.slice(0, SWATCHES.length - 1);
  const series = own.map((feature, index) => ({ keys: [feature.key ?? ''], label: feature.label, swatch: SWATCHES[index]! }));
  const rest = features.slice(own.length);
  if (rest.length > 0) series.push({ keys: rest.map((f) => f.key ?? ''), label: `${rest.length} more features`, swatch: SWATCHES.at(-1)! });
  return series;
}

function creditsOf(byFeature: Record<string, number>, keys: string[]): number {
  return keys.reduce((sum, key) => sum + (byFeature[key] ?? 0), 0);
}

/**
 * Credits used per day, each bar stacked by feature, drawn with plain CSS. Sighted mouse users get
 * a tooltip per bar; everyone gets the legend, and the same numbers as a table under "Show as table"
 * (screen readers skip the bars).
 */
export function CreditsFeatureUsageChart({ report }: { report: CreditsUsageReport }) {
  const { days, total } = report;
  const series = chartSeries(report.features);
  const peak = Math.max(0, ...days.map((day) => day.credits));
  const first = days[0];
  const last = days.at(-1);

  return (
    <figure className="flex flex-col gap-4">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-sm text-muted-foreground">
          <span className="text-2xl font-semibold text-foreground tabular-nums">{formatCount(total)}</span> credits used in the last {days.length} days
        </span>
        {peak > 0 ? <span className="text-xs text-muted-foreground">Busiest day: {formatCount(peak)} credits</span> : null}
      </figcaption>
      {series.length > 0 ? (
        <ul aria-label="Features" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
          {series.map((s) => (
            <li key={s.label} className="flex items-center gap-1.5">
              <span aria-hidden className={cn('size-2.5 rounded-sm', s.swatch)} />
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
      <div aria-hidden className="relative flex h-40 items-end gap-[3px] border-b border-border">
        {total === 0 ? <span className="absolute inset-0 flex items-center justify-center text-sm text-muted-foreground">No credits used yet</span> : null}
        {days.map((day) => (
          <div key={day.date} className="group relative flex h-full flex-1 items-end">
            {day.credits > 0 ? (
              <div
                className="flex w-full flex-col-reverse overflow-hidden rounded-t-sm opacity-85 transition-opacity group-hover:opacity-100"
                style={{ height: `${Math.max(4, Math.round((day.credits / peak) * 100))}%` }}
              >
                {series.map((s) => {
                  const credits = creditsOf(day.byFeature, s.keys);
                  return credits > 0 ? <div key={s.label} className={s.swatch} style={{ flexGrow: credits }} /> : null;
                })}
              </div>
            ) : (
              <div className="h-px w-full bg-border" />
            )}
            <div className="pointer-events-none absolute bottom-full left-1/2 z-10 mb-1 hidden -translate-x-1/2 rounded-md border border-border bg-card px-2 py-1 text-xs whitespace-nowrap shadow-md group-hover:block">
              <span className="font-medium tabular-nums">{formatCount(day.credits)}</span> · {dayLabel(day.date)}
              {series.map((s) => {
                const credits = creditsOf(day.byFeature, s.keys);
                return credits > 0 ? (
                  <span key={s.label} className="block text-muted-foreground">
                    {s.label}: {formatCount(credits)}
                  </span>
                ) : null;
              })}
            </div>
          </div>
        ))}
      </div>
      {first && last ? (
        <div aria-hidden className="flex justify-between text-xs text-muted-foreground">
          <span>{dayLabel(first.date)}</span>
          <span>{dayLabel(last.date)} (UTC)</span>
        </div>
      ) : null}
      <details className="group text-sm">
        <summary className="w-fit cursor-pointer rounded-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring">
          Show as table
        </summary>
        <div className="mt-3 max-h-72 overflow-y-auto rounded-lg border border-border">
          <Table>
            <caption className="sr-only">Credits used per day and feature, last {days.length} days (UTC)</caption>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Day</TableHead>
                {series.map((s) => (
                  <TableHead key={s.label} className="text-right">
                    {s.label}
                  </TableHead>
                ))}
                <TableHead className="text-right">Credits used</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {days.toReversed().map((day) => (
                <TableRow key={day.date}>
                  <TableCell>
                    <time dateTime={day.date}>{dayLabel(day.date)}</time>
                  </TableCell>
                  {series.map((s) => (
                    <TableCell key={s.label} className="text-right tabular-nums">
                      {formatCount(creditsOf(day.byFeature, s.keys))}
                    </TableCell>
                  ))}
                  <TableCell className="text-right tabular-nums">{formatCount(day.credits)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </details>
    </figure>
  );
}
