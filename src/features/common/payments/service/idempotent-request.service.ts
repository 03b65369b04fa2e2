import { createHash } from 'node:crypto';

import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';

import {
  IdempotencyConflictError,
  InvalidCreditsInputError,
  RequestInProgressError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import {
  jsonProblem,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  parseServiceInput,
  storableString,
  SYSTEM_KEY_PREFIX,
  userIdSchema,
} from '@/features/common/payments/service/credits-input.schema';
import { getDb, PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '@/shared/db/client';
import { idempotentRequests } from '@/shared/db/schema';

/*
 * Idempotency for a whole paid request, not only its charge. `deductCreditsBonusFirst` with an
 * idempotency key charges once; `respondOnce` also does the work once: it stores the response of the
 * first request with a key and returns it to every retry with the same request, and refuses the key
 * for any other request. Together they make the pattern in docs/credits.md safe to copy.
 */

/** JSON with its object keys sorted, so the same request always serialises the same way. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A fingerprint of everything a request asks for (its validated body, and anything else that changes
 * the work): a SHA-256 of its canonical JSON. Pass it as `requestFingerprint` to
 * `deductCreditsBonusFirst` and `respondOnce`, so the same idempotency key with another request is a
 * conflict. Throws `InvalidCreditsInputError` for a value that is not plain JSON.
 */
export function fingerprintRequest(request: unknown): string {
  const problem = jsonProblem(request);
  if (problem) throw new InvalidCreditsInputError([{ path: 'request', message: problem }]);
  return `sha256:${createHash('sha256').update(canonicalJson(request)).digest('hex')}`;
}

export interface StoredResponse<Body> {
  status: number;
  body: Body;
}

/** How long a running request holds its key before a retry may take it over (its process died, say). */
const DEFAULT_LEASE_SECONDS = 120;

const respondOnceSchema = userIdSchema.extend({
  idempotencyKey: storableString()
    .min(1, { message: 'must not be empty' })
    .refine((key) => key.trim() !== '', { message: 'must not be blank' })
    .max(MAX_IDEMPOTENCY_KEY_LENGTH, { message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
    .refine((key) => !key.startsWith(SYSTEM_KEY_PREFIX), { message: `must not start with "${SYSTEM_KEY_PREFIX}" (reserved)` })
    .optional(),
  requestFingerprint: storableString()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .refine((fingerprint) => fingerprint.trim() !== '', { message: 'must not be blank' }),
  leaseSeconds: z.number().int().min(1).max(86_400).default(DEFAULT_LEASE_SECONDS),
});

/**
 * Runs `work` once per idempotency key and user, and answers every retry with its stored response.
 *
 * - No key: `work` runs and its response is returned (`replayed: false`).
 * - A new key: the key is claimed for this request, `work` runs, and its response (JSON) is stored.
 *   If `work` throws, the claim is dropped and the error goes on, so a retry can try again (a charge
 *   made with the same key and fingerprint is then replayed, not repeated).
 * - The same key and the same `requestFingerprint` again: the stored response (`replayed: true`);
 *   `work` does not run.
 * - The same key with another fingerprint: `IdempotencyConflictError`; `work` does not run.
 * - The same key while its first request still runs: `RequestInProgressError` (retry shortly).
 *
 * Bad arguments throw `InvalidCreditsInputError`, an unknown user `UserNotFoundError`.
 */
export async function respondOnce<Body>(
  request: { userId: string; idempotencyKey?: string; requestFingerprint: string; leaseSeconds?: number },
  work: () => Promise<StoredResponse<Body>>,
): Promise<StoredResponse<Body> & { replayed: boolean }> {
  const { userId, idempotencyKey, requestFingerprint, leaseSeconds } = parseServiceInput(respondOnceSchema, request);
  if (!idempotencyKey) return { ...(await work()), replayed: false };

  const db = await getDb();
  const lockedUntil = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const claimed = await db
    .insert(idempotentRequests)
    .values({ userId, idempotencyKey, requestFingerprint, lockedUntil })
    // A request whose lease ran out (its process died mid-work) may be taken over by the same request.
    .onConflictDoUpdate({
      target: [idempotentRequests.userId, idempotentRequests.idempotencyKey],
      set: { lockedUntil },
      setWhere: sql`${idempotentRequests.status} = 'in_progress' and ${idempotentRequests.lockedUntil} < now() and ${idempotentRequests.requestFingerprint} = excluded.request_fingerprint`,
    })
    .returning({ userId: idempotentRequests.userId })
    .catch((error: unknown) => {
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw new UserNotFoundError(userId, { cause: error });
      throw error;
    });

  const mine = and(eq(idempotentRequests.userId, userId), eq(idempotentRequests.idempotencyKey, idempotencyKey));
  if (claimed.length === 0) {
    const [earlier] = await db.select().from(idempotentRequests).where(mine);
    // Gone between the insert and this read: its request failed and released the key. Try again.
    if (!earlier) return respondOnce(request, work);
    if (earlier.requestFingerprint !== requestFingerprint) throw new IdempotencyConflictError(idempotencyKey);
    if (earlier.status !== 'completed') {
      const seconds = Math.max(1, Math.ceil((earlier.lockedUntil.getTime() - Date.now()) / 1000));
      throw new RequestInProgressError(idempotencyKey, Math.min(seconds, 5));
    }
    return { status: earlier.responseStatus!, body: earlier.responseBody as Body, replayed: true };
  }

  let response: StoredResponse<Body>;
  try {
    response = await work();
  } catch (error) {
    await db.delete(idempotentRequests).where(and(mine, eq(idempotentRequests.status, 'in_progress')));
    throw error;
  }
  // Stored as the client will read it: JSON, so a replay is byte-for-byte the same answer.
  const body = JSON.parse(JSON.stringify(response.body ?? null)) as Body;
  await db.update(idempotentRequests).set({ status: 'completed', responseStatus: response.status, responseBody: body, completedAt: new Date() }).where(mine);
  return { status: response.status, body, replayed: false };
}
