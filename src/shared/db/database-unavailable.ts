import { AppError } from '@/shared/lib/app-error';

/**
 * The database could not be reached, dropped the connection, is starting or shutting down, or did
 * not answer within the deadline. Retryable: nothing was committed by the statement that failed (a
 * transaction it was in rolled back). Routes answer 503 with `Retry-After`, server actions
 * `{ ok: false, error: { code: 'DATABASE_UNAVAILABLE' } }`, the Stripe webhook 500 so Stripe retries.
 */
export class DatabaseUnavailableError extends AppError {
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  constructor(options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super('The database is unavailable right now; nothing was changed. Try again in a few seconds.', options);
    this.name = 'DatabaseUnavailableError';
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 2;
  }

  override get details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** The client gave up on a statement after the deadline (and asked the server to cancel it). */
export class DatabaseDeadlineError extends Error {
  readonly code = 'DATABASE_DEADLINE';
  constructor(readonly deadlineMs: number) {
    super(`No answer from the database within ${deadlineMs} ms; the statement was cancelled`);
    this.name = 'DatabaseDeadlineError';
  }
}

// postgres.js's own codes for a connection that failed or went away, Node's socket errors, and the
// SQLSTATEs of a server going away or refusing new work: class 08 (connection exception), 57P01–57P05
// (admin/crash shutdown, cannot connect now, database dropped, idle session timeout), 57014 (statement
// cancelled: our deadline or statement_timeout) and 25P03 (idle-in-transaction timeout).
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'DATABASE_DEADLINE',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  '57014',
  '25P03',
]);

/** Whether an error (or any error in its `cause` chain, as drizzle wraps them) means the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof DatabaseUnavailableError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    // AggregateError from a connect to several addresses (localhost → ::1 and 127.0.0.1).
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/** The typed error for a database that is unavailable, or `null` for any other error. */
export function toDatabaseUnavailable(error: unknown): DatabaseUnavailableError | null {
  if (error instanceof DatabaseUnavailableError) return error;
  return isDatabaseUnavailable(error) ? new DatabaseUnavailableError({ cause: error }) : null;
}

/**
 * What went wrong, in a word where there is one: the first error code down the cause chain
 * (`ECONNREFUSED`, `57P01` …) rather than drizzle's "Failed query: …" wrapper, else the message.
 */
export function databaseErrorReason(error: unknown): string {
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string' && code !== 'DATABASE_UNAVAILABLE') return code;
    if (Array.isArray(errors) && errors.length > 0) return databaseErrorReason(errors[0]);
  }
  return error instanceof Error ? error.message : String(error);
}
