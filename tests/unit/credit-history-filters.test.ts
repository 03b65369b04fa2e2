import { describe, expect, it } from 'vitest';

import { HISTORY_TYPE_FILTERS, historySearch, parseDay, parseHistoryFilters } from '@/features/common/payments/credit-history-filters';
import { creditTransactionType } from '@/shared/db/schema';

describe('history type filters', () => {
  it('cover every kind of ledger entry exactly once', () => {
    const covered = Object.values(HISTORY_TYPE_FILTERS).flatMap((filter) => filter.types);
    expect([...covered].sort()).toEqual([...creditTransactionType.enumValues].sort());
  });
});

describe('parseDay', () => {
  it('reads a calendar day as the UTC midnight that starts it', () => {
    expect(parseDay('2026-03-01')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseDay('2028-02-29')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-3-1', '01/03/2026', '2026-03-01T00:00', '', ' 2026-03-01', '2026-03-01\u0000'])('refuses %j', (value) => {
    expect(parseDay(value)).toBeNull();
  });
});

describe('parseHistoryFilters', () => {
  it('turns a kind and a day range into ledger types and a half-open time range', () => {
    const { filters, query, problems } = parseHistoryFilters({ type: 'usage', from: '2026-03-01', to: '2026-03-31' });
    expect(filters).toEqual({ type: 'usage', from: '2026-03-01', to: '2026-03-31' });
    expect(query).toEqual({ types: ['deduction', 'hold_settled'], from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') });
    expect(problems).toEqual([]);
  });

  it('has no filters when none are given', () => {
    expect(parseHistoryFilters({})).toEqual({ filters: {}, query: {}, problems: [] });
    expect(parseHistoryFilters({ type: '', from: ' ', to: undefined })).toEqual({ filters: {}, query: {}, problems: [] });
  });

  it.each([
    [{ type: 'toString' }, 'That kind of entry is not one we know, so all kinds are shown.'],
    [{ type: '__proto__' }, 'That kind of entry is not one we know, so all kinds are shown.'],
    [{ type: ['usage', 'refunds'] }, null],
    [{ from: 'yesterday' }, 'The start date is not a date (use YYYY-MM-DD), so it is left out.'],
    [{ to: '2026-02-30' }, 'The end date is not a date (use YYYY-MM-DD), so it is left out.'],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'The start date is after the end date, so the dates are left out.'],
  ])('leaves out what it cannot read (%j) and says why', (params, problem) => {
    const { query, problems } = parseHistoryFilters(params);
    expect(query).toEqual({});
    expect(problems).toEqual(problem ? [problem] : []);
  });

  it('keeps a single day: from and to the same day', () => {
    expect(parseHistoryFilters({ from: '2026-03-01', to: '2026-03-01' }).query).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-02T00:00:00Z'),
    });
  });
});

describe('historySearch', () => {
  it('puts the filters, then the cursor, in a search string', () => {
    expect(historySearch({ type: 'refunds', from: '2026-03-01' }, { cursor: 42 })).toBe('?type=refunds&from=2026-03-01&cursor=42');
    expect(historySearch({})).toBe('');
  });
});
