import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import { csvAttachment, csvStream, escapeSpreadsheetFormula, toCsv, type CsvCell } from '@/shared/lib/csv';

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('escapeSpreadsheetFormula', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
  ])('puts a quote before %j, which a spreadsheet would run', (value, escaped) => {
    expect(escapeSpreadsheetFormula(value)).toBe(escaped);
  });

  it.each(['Run generation', 'a=b', 'x-1', 'user@example.com', '', ' =not at the start', "'already quoted"])('leaves %j as it is', (value) => {
    expect(escapeSpreadsheetFormula(value)).toBe(value);
  });
});

describe('toCsv', () => {
  it('escapes formulas in text cells but writes negative numbers as numbers', () => {
    const csv = toCsv([[-10, '-10', '=1+1', 'fine']]);
    expect(csv).toBe(`-10,'-10,'=1+1,fine\r\n`);
  });

  it('quotes commas, quotes and line breaks so a CSV reader gets the exact text back', () => {
    const cells: CsvCell[] = ['a,b', 'say "hi"', 'line 1\nline 2', 'ünïcödé ✓', null, undefined, 0];
    const [row] = parse(toCsv([cells]), { relax_column_count: true }) as string[][];
    expect(row).toEqual(['a,b', 'say "hi"', 'line 1\nline 2', 'ünïcödé ✓', '', '', '0']);
  });

  it('writes dates as ISO 8601 in UTC and objects as JSON (escaped like any text)', () => {
    const [row] = parse(toCsv([[new Date('2026-03-01T10:00:00Z'), { purchaseId: 'p1' }]])) as string[][];
    expect(row).toEqual(['2026-03-01T10:00:00.000Z', '{"purchaseId":"p1"}']);
  });
});

describe('csvStream', () => {
  it('writes the header, then each batch, as one CSV', async () => {
    async function* batches() {
      yield [[1, 'a']];
      yield [];
      yield [[2, '@b']];
    }
    const csv = await text(csvStream(['id', 'name'], batches()));
    expect(parse(csv)).toEqual([
      ['id', 'name'],
      ['1', 'a'],
      ['2', "'@b"],
    ]);
  });

  it('reads a batch only when the reader asks for more', async () => {
    let produced = 0;
    async function* batches() {
      for (let i = 0; i < 100; i++) {
        produced++;
        yield [[i]];
      }
    }
    const reader = csvStream(['n'], batches()).getReader();
    await reader.read(); // the header
    await reader.read(); // batch 0
    // One batch read ahead at most (the stream's high-water mark), not the other 98.
    expect(produced).toBeLessThanOrEqual(2);
    await reader.cancel();
  });

  it('stops the batches when the reader goes away', async () => {
    let finished = false;
    async function* batches() {
      try {
        for (;;) yield [[1]];
      } finally {
        finished = true;
      }
    }
    const reader = csvStream(['n'], batches()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });
});

describe('csvAttachment', () => {
  it('answers a CSV download that is not cached and keeps only safe characters in the file name', () => {
    const response = csvAttachment('credits "x"\r\n.csv', new ReadableStream());
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="credits--x---.csv"');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
