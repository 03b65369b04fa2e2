import { AlertCircleIcon, DownloadIcon, FilterIcon } from 'lucide-react';

import { HISTORY_TYPE_FILTERS, type HistoryFilters } from '@/features/common/payments/credit-history-filters';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';

export interface CreditHistoryFiltersProps {
  /** The page the filters reload with their values in the URL. */
  action: string;
  filters: HistoryFilters;
  /** What could not be read from the URL, in words for the person. */
  problems?: string[];
  /** The CSV download of everything the filters select (all of it without filters). */
  exportHref: string;
}

/**
 * Filters for the credits history: a kind of entry and a range of days (UTC), sent as a plain GET
 * form, so they work before any script loads and the URL can be shared; and the CSV export of what
 * they select.
 */
export function CreditHistoryFilters({ action, filters, problems = [], exportHref }: CreditHistoryFiltersProps) {
  const filtered = Boolean(filters.type || filters.from || filters.to);
  return (
    <div className="flex flex-col gap-3 px-4 pb-2">
      <form action={action} method="get" aria-label="Filter history" className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="history-type">Kind</Label>
          <select
            id="history-type"
            name="type"
            defaultValue={filters.type ?? ''}
            className="flex h-9 rounded-md border border-input bg-background px-3 py-1 text-sm shadow-xs focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            <option value="">All kinds</option>
            {Object.entries(HISTORY_TYPE_FILTERS).map(([value, filter]) => (
              <option key={value} value={value}>
                {filter.label}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="history-from">From (UTC)</Label>
          <Input id="history-from" name="from" type="date" defaultValue={filters.from} className="w-auto" />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="history-to">To (UTC)</Label>
          <Input id="history-to" name="to" type="date" defaultValue={filters.to} className="w-auto" />
        </div>
        <Button type="submit" variant="secondary">
          <FilterIcon aria-hidden />
          Filter
        </Button>
        {filtered ? (
          <Button asChild variant="ghost">
            <a href={action}>Clear filters</a>
          </Button>
        ) : null}
        <Button asChild variant="outline" className="sm:ml-auto">
          <a href={exportHref} download>
            <DownloadIcon aria-hidden />
            {filtered ? 'Export these as CSV' : 'Export all as CSV'}
          </a>
        </Button>
      </form>
      {problems.length > 0 ? (
        <Alert variant="destructive" role="alert">
          <AlertCircleIcon aria-hidden />
          <AlertDescription>{problems.join(' ')}</AlertDescription>
        </Alert>
      ) : null}
    </div>
  );
}
