import type { DailyCreditsUsage } from '@/features/common/payments/service/credits-usage.service';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatCount } from '@/shared/lib/format-count';

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

function dayLabel(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

/**
 * Credits used per day as bars, drawn with plain CSS. Sighted mouse users get a tooltip per bar;
 * everyone else gets the same numbers as a table under "Show as table" (screen readers skip the bars).
 */
export function CreditsUsageChart({ days }: { days: DailyCreditsUsage[] }) {
  const total = days.reduce((sum, day) => sum + day.credits, 0);
  const peak = Math.max(0, ...days.map((day) => day.credits));
  const first = days[0];
  const last = days.at(-1);

  return (
    <figure className="flex flex-col gap-4">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-sm text-muted-foreground">
          <span className="text-2xl font-semibold text-foreground tabular-nums">{formatCount(total)}</span> credits used in the last {days.length}{' '}
          days
        </span>
        {peak > 0 ? <span className="text-xs text-muted-foreground">Busiest day: {formatCount(peak)} credits</span> : null}
      </figcaption>
      <div aria-hidden className="relative flex h-40 items-end gap-[3px] border-b border-border">
        {total === 0 ? (
          <span className="absolute inset-0 flex items-center justify-center text-sm text-muted-foreground">No credits used yet</span>
        ) : null}
        {days.map((day) => (
          <div key={day.date} className="group relative flex h-full flex-1 items-end">
            <div
              className={day.credits > 0 ? 'w-full rounded-t-sm bg-primary/80 transition-colors group-hover:bg-primary' : 'h-px w-full bg-border'}
              style={day.credits > 0 ? { height: `${Math.max(4, Math.round((day.credits / peak) * 100))}%` } : undefined}
            />
            <div className="pointer-events-none absolute bottom-full left-1/2 z-10 mb-1 hidden -translate-x-1/2 rounded-md border border-border bg-card px-2 py-1 text-xs whitespace-nowrap shadow-md group-hover:block">
              <span className="font-medium tabular-nums">{formatCount(day.credits)}</span> · {dayLabel(day.date)}
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
            <caption className="sr-only">Credits used per day, last {days.length} days (UTC)</caption>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Day</TableHead>
                <TableHead className="text-right">Credits used</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {days.toReversed().map((day) => (
                <TableRow key={day.date}>
                  <TableCell>
                    <time dateTime={day.date}>{dayLabel(day.date)}</time>
                  </TableCell>
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
