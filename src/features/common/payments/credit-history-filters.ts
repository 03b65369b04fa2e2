import type { CreditTransactionType } from '@/shared/db/schema';

/*
 * The credits history's filters, as they travel in a URL (`?type=usage&from=2026-03-01&to=2026-03-31`):
 * the page, its "Older" links and the CSV export all read them the same way.
 */

/** What a person filters by: kinds of entry in their words, each standing for one or more ledger types. */
export const HISTORY_TYPE_FILTERS = {
  usage: { label: 'Usage', types: ['deduction', 'hold_settled'] },
  purchases: { label: 'Purchases', types: ['purchase'] },
  bonus: { label: 'Bonus credits', types: ['grant', 'signup_bonus'] },
  refunds: { label: 'Refunds', types: ['refund'] },
  corrections: { label: 'Corrections', types: ['correction'] },
  expired: { label: 'Expired credits', types: ['expiration'] },
  reservations: { label: 'Reservations', types: ['hold', 'hold_released', 'hold_expired'] },
} as const satisfies Record<string, { label: string; types: readonly CreditTransactionType[] }>;

export type HistoryTypeFilter = keyof typeof HISTORY_TYPE_FILTERS;

export interface HistoryFilters {
  type?: HistoryTypeFilter;
  /** First UTC day shown, `YYYY-MM-DD`. */
  from?: string;
  /** Last UTC day shown (included), `YYYY-MM-DD`. */
  to?: string;
}

/** The filters as a ledger query takes them: types, and a half-open time range. */
export interface HistoryQuery {
  types?: CreditTransactionType[];
  from?: Date;
  /** Exclusive: the start of the day after `to`. */
  to?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` calendar day as the UTC midnight that starts it, or null when it is not one. */
export function parseDay(value: string): Date | null {
  const match = DAY.exec(value);
  if (!match) return null;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over into March; a real day survives the round trip.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

type Param = string | string[] | undefined;
const single = (value: Param) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * Reads the filters from search params. What cannot be read is left out and named in `problems`, in
 * words for the person who typed it; the rest still applies.
 */
export function parseHistoryFilters(params: { type?: Param; from?: Param; to?: Param }): { filters: HistoryFilters; query: HistoryQuery; problems: string[] } {
  const filters: HistoryFilters = {};
  const query: HistoryQuery = {};
  const problems: string[] = [];

  const type = single(params.type);
  if (type && Object.hasOwn(HISTORY_TYPE_FILTERS, type)) {
    filters.type = type as HistoryTypeFilter;
    query.types = [...HISTORY_TYPE_FILTERS[filters.type].types];
  } else if (type) {
    problems.push('That kind of entry is not one we know, so all kinds are shown.');
  }

  const from = single(params.from);
  const fromDate = from ? parseDay(from) : null;
  if (from && !fromDate) problems.push('The start date is not a date (use YYYY-MM-DD), so it is left out.');
  const to = single(params.to);
  const toDate = to ? parseDay(to) : null;
  if (to && !toDate) problems.push('The end date is not a date (use YYYY-MM-DD), so it is left out.');

  if (fromDate && toDate && fromDate > toDate) {
    problems.push('The start date is after the end date, so the dates are left out.');
  } else {
    if (fromDate) {
      filters.from = from;
      query.from = fromDate;
    }
    if (toDate) {
      filters.to = to;
      query.to = new Date(toDate.getTime() + DAY_MS);
    }
  }
  return { filters, query, problems };
}

/** The search string for `filters` (and a page cursor), e.g. `?type=usage&cursor=42`; empty for none. */
export function historySearch(filters: HistoryFilters, extra: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
