import { createHash } from 'node:crypto';

import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

import { getDb, type Database } from '@/shared/db/client';
import { rateLimits } from '@/shared/db/schema';

/*
 * Rate limits with rate-limiter-flexible: counters in the database (its Drizzle store, one atomic
 * upsert per request, so every server process shares them, on Postgres and PGlite alike), and an
 * in-memory limiter of the same size that takes over if the database store fails, so an outage
 * does not switch the limits off.
 */

export interface RateLimit {
  /** Requests allowed per window. */
  requests: number;
  windowSeconds: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

// One limiter per database, limit and size: tests swap the database per file.
const limiters = new WeakMap<Database, Map<string, RateLimiterDrizzle>>();

function limiterFor(db: Database, name: string, limit: RateLimit): RateLimiterDrizzle {
  let byName = limiters.get(db);
  if (!byName) limiters.set(db, (byName = new Map()));
  const id = `${name}:${limit.requests}:${limit.windowSeconds}`;
  let limiter = byName.get(id);
  if (!limiter) {
    const size = { keyPrefix: name, points: limit.requests, duration: limit.windowSeconds };
    limiter = new RateLimiterDrizzle({ ...size, storeClient: db, schema: rateLimits, insuranceLimiter: new RateLimiterMemory(size) });
    byName.set(id, limiter);
  }
  return limiter;
}

/**
 * Counts one request by `key` (an email, an IP address, a user id) against the limit `name`, and
 * says whether it is allowed; a refused request does not extend the window. Keys are stored hashed.
 */
export async function consumeRateLimit(name: string, key: string, limit: RateLimit): Promise<RateLimitVerdict> {
  const limiter = limiterFor(await getDb(), name, limit);
  try {
    await limiter.consume(createHash('sha256').update(key).digest('base64url'));
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    throw rejection;
  }
}

/**
 * The client's address as the nearest proxy saw it: the last `X-Forwarded-For` entry (a proxy
 * appends the address it was connected from; anything before that the client may have written).
 * Without a proxy in front, Next sets the header to the socket's address only when the client did not
 * send one, so deploy behind a proxy that appends it (every host does) for per-address limits to hold.
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',').map((part) => part.trim()).filter(Boolean);
  return forwarded?.at(-1) ?? headers.get('x-real-ip') ?? 'unknown';
}
