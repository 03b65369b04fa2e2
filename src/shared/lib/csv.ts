import { stringify } from 'csv-stringify/sync';

/*
 * CSV for people's spreadsheets: RFC 4180 quoting by csv-stringify, and no cell that a spreadsheet
 * would run as a formula. Streams a batch of rows at a time, so an export of any size holds one batch.
 */

export type CsvCell = string | number | Date | Record<string, unknown> | null | undefined;

/** What starts a formula in Excel, LibreOffice and Google Sheets (OWASP's list: = + - @ tab return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet will show as text: one that would start a formula gets a leading `'`
 * (shown by no spreadsheet, and kept verbatim by CSV readers). Numbers are written as numbers and
 * never escaped: a negative amount stays a number.
 */
export function escapeSpreadsheetFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Rows as CSV text, each line ending in CRLF (RFC 4180). */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(rows as CsvCell[][], {
    record_delimiter: 'windows',
    // csv-stringify quotes a field holding the record delimiter (CRLF), not one holding a lone LF or CR,
    // which readers also take as a line break.
    quoted_match: /[\r\n]/,
    cast: {
      string: escapeSpreadsheetFormula,
      date: (value) => value.toISOString(),
      object: (value) => escapeSpreadsheetFormula(JSON.stringify(value)),
    },
  });
}

/**
 * A CSV byte stream: the header, then each batch as it is pulled. The next batch is read only when
 * the reader has taken the last one (the stream pulls on demand), so memory holds about one batch
 * whatever the row count; a reader that goes away stops the batches.
 */
export function csvStream(header: readonly string[], batches: AsyncIterable<readonly (readonly CsvCell[])[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let iterator: AsyncIterator<readonly (readonly CsvCell[])[]> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(toCsv([header])));
      },
      async pull(controller) {
        iterator ??= batches[Symbol.asyncIterator]();
        // Enqueue something (or close) before returning: a pull that adds nothing is not repeated.
        for (;;) {
          const next = await iterator.next();
          if (next.done) return controller.close();
          if (next.value.length > 0) return controller.enqueue(encoder.encode(toCsv(next.value)));
        }
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** A download of `stream` as `filename` (ASCII letters, digits, dots and dashes). */
export function csvAttachment(filename: string, stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '-')}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
