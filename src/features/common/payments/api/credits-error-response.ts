import { CreditsError, type CreditsErrorCode } from '@/features/common/payments/service/credits-errors';
import { toDatabaseUnavailable } from '@/shared/db/database-unavailable';

const statusByCode: Record<CreditsErrorCode, number> = {
  INVALID_INPUT: 400,
  INSUFFICIENT_CREDITS: 402,
  USER_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  BALANCE_LIMIT: 422,
  CREDITS_DISABLED: 503,
  UNKNOWN_PACKAGE: 400,
  MANUAL_TOP_UP_DISABLED: 400,
  TOP_UP_OUT_OF_RANGE: 400,
  CHECKOUT_UNAVAILABLE: 503,
  ORGANIZATION_NOT_FOUND: 404,
  NOT_ORGANIZATION_MEMBER: 403,
  ORGANIZATION_ROLE_REQUIRED: 403,
  MEMBER_CAP_EXCEEDED: 402,
  HOLD_NOT_FOUND: 404,
  HOLD_CLOSED: 409,
  LOT_NOT_FOUND: 404,
  INVITE_UNUSABLE: 410,
  INVALID_RETURN_URL: 400,
  REQUEST_IN_PROGRESS: 409,
  RATE_LIMITED: 429,
  PURCHASE_NOT_UNDER_REVIEW: 409,
  CORRECTION_BELOW_ZERO: 409,
  STRIPE_UNAVAILABLE: 503,
  UNSUPPORTED_CURRENCY: 400,
  AUTO_TOP_UP_DISABLED: 404,
  NO_SAVED_CARD: 409,
  AUTO_TOP_UP_PRICE_CHANGED: 409,
};

/**
 * Maps a credits error to the JSON response a route sends, or returns `null` for anything else
 * (a bug, which the route should let through to a 500). A database that is unreachable, dropped the
 * connection or missed its deadline answers 503 `DATABASE_UNAVAILABLE` with `Retry-After`. A 402 names what was required and available;
 * a 429 (`RATE_LIMITED`) and a 409 for a request still running (`REQUEST_IN_PROGRESS`) carry `Retry-After`.
 */
export function creditsErrorResponse(error: unknown): Response | null {
  const unavailable = toDatabaseUnavailable(error);
  if (unavailable) {
    // Retryable: the database went away or missed its deadline, and nothing was committed.
    console.warn(`[db] ${describeCause(error)}; answered 503 DATABASE_UNAVAILABLE`);
    return Response.json(
      { error: { code: unavailable.code, message: unavailable.message, retryAfterSeconds: unavailable.retryAfterSeconds } },
      { status: 503, headers: { 'retry-after': String(unavailable.retryAfterSeconds) } },
    );
  }
  if (!(error instanceof CreditsError)) return null;
  const body = { error: { code: error.code, message: error.message, ...error.details } };
  // 429 and a request still in progress tell the client when to come back.
  const retryAfter = 'retryAfterSeconds' in error ? Number(error.retryAfterSeconds) : null;
  return Response.json(body, { status: statusByCode[error.code], headers: retryAfter ? { 'retry-after': String(retryAfter) } : {} });
}

function describeCause(error: unknown): string {
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code !== 'DATABASE_UNAVAILABLE') return `${code}: ${String(message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a route's body and maps what it throws: credits errors and an unavailable database become
 * their JSON responses (503 with `Retry-After` for the database); anything else is a bug, let through.
 * Wrap the whole body, session lookup included: that reads the database too.
 */
export async function respondWithCreditsErrors(body: () => Promise<Response>): Promise<Response> {
  try {
    return await body();
  } catch (error) {
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }
}
