import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';

import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { toActionError } from '@/features/common/auth/validated-action';
import { creditsErrorResponse, respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { grantSignUpBonus } from '@/features/common/payments/service/sign-up-bonus';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';
import { migrateDatabase, openPostgres, queryRows, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { isDatabaseUnavailable } from '@/shared/db/database-unavailable';
import { users } from '@/shared/db/schema';

import { fixtureEvent } from '../helpers/stripe-events';
import { freePort, startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/*
 * Issue 16, items 2–4, on a throwaway cluster: a database that is down, slow or gone answers a typed,
 * retryable DATABASE_UNAVAILABLE at every edge (503 + Retry-After at routes, { ok: false } from
 * actions, 500 from the webhook so Stripe retries); statements have a deadline that cancels them; the
 * same process serves again within 5 s of Postgres returning; scripts print one line and exit 1.
 */

let pg: ThrowawayPostgres;
let handle: DatabaseHandle;
let userId: string;

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  handle = await openPostgres(pg.url, { max: 4 });
  await migrateDatabase(handle);
  setDatabase(handle);
  const [user] = await handle.db.insert(users).values({ email: 'down@example.com' }).returning();
  userId = user!.id;
  await grantSignUpBonus(userId);
}, 120_000);

afterAll(async () => {
  await handle?.close().catch(() => {});
  await pg?.destroy();
});

function signedDelivery(event: Record<string, unknown>) {
  const payload = JSON.stringify(event);
  const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret: getPaymentsGateway().webhookSecret });
  return handleStripeWebhook(
    new Request('http://localhost/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
      body: payload,
    }),
  );
}

// As src/app/api/examples/generate/route.ts does, minus the session lookup.
const generate = () =>
  respondWithCreditsErrors(() =>
    handleGenerateRequest(
      new Request('http://localhost/api/examples/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'hello' }),
      }),
      userId,
    ),
  );

describe('a database that went away', () => {
  it('a statement past its deadline is cancelled and reported as DATABASE_UNAVAILABLE', async () => {
    const slow = await openPostgres(pg.url, { max: 1, statementDeadlineMs: 300 });
    try {
      const started = Date.now();
      const error = await queryRows(slow.db, sql`select pg_sleep(3)`).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(isDatabaseUnavailable(error)).toBe(true);
      const response = creditsErrorResponse(error)!;
      expect(response.status).toBe(503);
      // The connection is still usable afterwards: the statement was cancelled, not abandoned.
      expect(await queryRows(slow.db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
    } finally {
      await slow.close();
    }
  });

  it('a server that accepts connections and never answers: the request ends within the deadline', async () => {
    const port = await freePort();
    const silent: Server = createServer(() => {}); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const stuck = await openPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1 });
    try {
      const started = Date.now();
      const error = await queryRows(stuck.db, sql`select 1`).catch((e: unknown) => e);
      const took = Date.now() - started;
      console.log(
        `[fault] silent server: ${took} ms, ${(error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code}`,
      );
      expect(took).toBeLessThan(7000);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await stuck.close().catch(() => {});
      silent.close();
    }
  });

  it('while Postgres is down: 503 + Retry-After from a route, DATABASE_UNAVAILABLE from an action, 500 from the webhook; back within 5 s of its return', async () => {
    expect((await generate()).status).toBe(200);
    await pg.crash();
    try {
      const route = await generate();
      expect(route.status).toBe(503);
      expect(route.headers.get('retry-after')).toBe('2');
      expect(((await route.json()) as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');

      const error = await queryRows(handle.db, sql`select 1`).catch((e: unknown) => e);
      expect(toActionError(error)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining('Try again') });

      const webhook = await signedDelivery(fixtureEvent('checkout.session.completed.json', { id: 'cs_test_down', payment_status: 'paid' }));
      expect(webhook.status).toBe(500);
      expect(((await webhook.json()) as { code: string }).code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await pg.start();
    }
    const back = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - back < 10_000) {
      status = (await generate()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const took = Date.now() - back;
    console.log(`[fault] same process serving again ${took} ms after Postgres returned`);
    expect(status).toBe(200);
    expect(took).toBeLessThan(5000);
  });
});

describe('scripts when the database cannot be reached', () => {
  const runScript = (script: string, databaseUrl: string) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('npm', ['run', '-s', script], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => resolve({ code, output: output.trim() }));
    });

  it.each(['credits:verify', 'payments:retry', 'credits:jobs', 'db:migrate'])(
    '%s prints one line and exits 1 on a closed port',
    async (script) => {
      const port = await freePort(); // nothing listens there
      const { code, output } = await runScript(script, `postgres://postgres:secret@127.0.0.1:${port}/app`);
      expect(code).toBe(1);
      expect(output).toBe(`${script}: cannot reach the database at 127.0.0.1:${port}/app (ECONNREFUSED); nothing was done.`);
    },
    60_000,
  );
});
