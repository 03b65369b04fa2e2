import { eq, sql } from 'drizzle-orm';
import { NextRequest } from 'next/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { POST as authPost } from '@/app/api/auth/[...nextauth]/route';
import { appConfig } from '@/config/app';
import { limitMagicLinkRequest } from '@/features/common/auth/magic-link-limits';
import { RateLimitedError } from '@/features/common/payments/service/credits-errors';
import { addCreditsDirectly, createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';
import { getDb } from '@/shared/db/client';
import { creditPurchases, rateLimits } from '@/shared/db/schema';
import { clientAddress, consumeRateLimit } from '@/shared/lib/rate-limit';
import { createUser } from '../helpers/factories';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

const shipped = structuredClone(appConfig.rateLimits);
afterEach(() => {
  appConfig.rateLimits = structuredClone(shipped);
});

const tiny = { requests: 3, windowSeconds: 600 };
let keys = 0;
const freshKey = () => `key-${Date.now()}-${++keys}`;

describe(`consumeRateLimit on ${testDriver}`, () => {
  it('allows the configured number of requests per window, then refuses with the time to wait', async () => {
    const key = freshKey();
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await consumeRateLimit('test-limit', key, tiny));
    expect(verdicts.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(verdicts[3]).toMatchObject({ allowed: false });
    const wait = (verdicts[3] as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThan(590);
    expect(wait).toBeLessThanOrEqual(600);
  });

  it('counts each key on its own and stores no key in the clear', async () => {
    const [a, b] = [`alice-${freshKey()}@example.com`, `bob-${freshKey()}@example.com`];
    for (let i = 0; i < 3; i++) await consumeRateLimit('test-limit', a, tiny);
    expect(await consumeRateLimit('test-limit', b, tiny)).toEqual({ allowed: true });
    const db = await getDb();
    const stored = await db.select({ key: rateLimits.key }).from(rateLimits);
    expect(stored.some((row) => row.key.includes('alice') || row.key.includes('bob'))).toBe(false);
  });

  it('counts concurrent requests exactly', async () => {
    const key = freshKey();
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => consumeRateLimit('test-limit', key, { requests: 4, windowSeconds: 600 })));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(4);
  });

  it('keeps limiting from memory when the database store fails', async () => {
    const db = await getDb();
    const key = freshKey();
    await db.execute(sql`alter table rate_limits rename to rate_limits_away`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push(await consumeRateLimit('test-insured', key, tiny));
      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    } finally {
      await db.execute(sql`alter table rate_limits_away rename to rate_limits`);
      warn.mockRestore();
    }
  });
});

describe('clientAddress', () => {
  it('takes the address the nearest proxy appended, not one the client wrote before it', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});

describe('sign-in links', () => {
  it('are limited per address they are sent to, whichever IP asks', async () => {
    appConfig.rateLimits.magicLinkPerEmail = tiny;
    const email = `victim-${freshKey()}@example.com`;
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limitMagicLinkRequest(email.toUpperCase(), `198.51.100.${i}`));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
  });

  it('are limited per IP address, whichever addresses it asks for', async () => {
    appConfig.rateLimits.magicLinkPerIp = tiny;
    const ip = `192.0.2.${keys++ % 250}`;
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limitMagicLinkRequest(`someone-${freshKey()}@example.com`, ip));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
  });

  it('are refused with 429 and Retry-After at Auth.js’s own endpoint once the limit is reached', async () => {
    appConfig.rateLimits.magicLinkPerEmail = tiny;
    const email = `direct-${freshKey()}@example.com`;
    for (let i = 0; i < 3; i++) await limitMagicLinkRequest(email, '203.0.113.50');
    const response = await authPost(
      new NextRequest('http://localhost:3000/api/auth/signin/email', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.51' },
        body: new URLSearchParams({ email, csrfToken: 'x', callbackUrl: '/dashboard' }),
      }),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await response.json()).error.code).toBe('RATE_LIMITED');
  });
});

describe('checkout', () => {
  it('is limited per user, refusing with RateLimitedError and recording no purchase past the limit', async () => {
    appConfig.rateLimits.checkoutPerUser = tiny;
    const user = await createUser();
    const urls = { successUrl: '/dashboard?billing=success', cancelUrl: '/dashboard?billing=cancel' };
    for (let i = 0; i < 3; i++) await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls);
    const refused = await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, urls).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    const db = await getDb();
    expect(await db.select().from(creditPurchases).where(eq(creditPurchases.userId, user.id))).toHaveLength(3);

    const other = await createUser();
    await expect(createCreditsCheckoutSession({ userId: other.id, packageId: 'starter' }, urls)).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe('the example paid route', () => {
  it('is limited per user with 429 and Retry-After, charging nothing past the limit', async () => {
    appConfig.rateLimits.paidRequestPerUser = tiny;
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'bonus', reason: 'Promo' });
    const run = () =>
      handleGenerateRequest(
        new Request('http://localhost:3000/api/examples/generate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x' }) }),
        user.id,
      );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await run()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await run();
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error.code).toBe('RATE_LIMITED');
  });
});
