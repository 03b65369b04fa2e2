import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { migrateDatabase, openPostgres, queryRows, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { isDatabaseUnavailable } from '@/shared/db/database-unavailable';
import { users } from '@/shared/db/schema';

import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/*
 * Deductions grouped across wallets (two statements in flight, sixteen callers) through an immediate
 * Postgres restart: every call ends, either answered or with the typed, retryable DATABASE_UNAVAILABLE;
 * retried with its idempotency key once Postgres is back, each charges exactly once.
 */

let pg: ThrowawayPostgres;
let handle: DatabaseHandle;
const userIds: string[] = [];
const credits = appConfig.billing.credits as { maxDeductionStatements: number | null };

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  handle = await openPostgres(pg.url, { max: 4 });
  await migrateDatabase(handle);
  setDatabase(handle);
  for (let i = 0; i < 24; i++) {
    const [user] = await handle.db
      .insert(users)
      .values({ email: `group-${i}@example.com` })
      .returning();
    await addCreditsDirectly({ userId: user!.id, credits: 100_000, creditsType: 'purchased', reason: 'Pack' });
    userIds.push(user!.id);
  }
  credits.maxDeductionStatements = 2;
}, 120_000);

afterAll(async () => {
  credits.maxDeductionStatements = null;
  await handle?.close().catch(() => {});
  await pg?.destroy();
});

describe('deductions grouped across wallets through an immediate Postgres restart', () => {
  it('every call ends answered or DATABASE_UNAVAILABLE; retried with its key, each charges once', async () => {
    const calls: { userId: string; key: string }[] = [];
    const failed: { userId: string; key: string }[] = [];
    const other: unknown[] = [];
    let answered = 0;
    let stop = false;
    const spend = (call: { userId: string; key: string }) =>
      deductCreditsBonusFirst({ userId: call.userId, credits: 1, reason: 'Render', idempotencyKey: call.key });

    const callers = Array.from({ length: 16 }, async (_, caller) => {
      for (let n = 0; !stop; n++) {
        const call = { userId: userIds[(caller * 7 + n) % userIds.length]!, key: `render-${caller}-${n}` };
        calls.push(call);
        try {
          await spend(call);
          answered++;
        } catch (error) {
          if (isDatabaseUnavailable(error)) failed.push(call);
          else other.push(error);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await pg.crash();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await pg.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stop = true;
    // Every caller's last call ends: nothing waits forever in the queue.
    await Promise.race([Promise.all(callers), new Promise((_, reject) => setTimeout(() => reject(new Error('a call never ended')), 30_000))]);

    console.log(`[fault] grouped deductions: ${calls.length} calls, ${answered} answered, ${failed.length} DATABASE_UNAVAILABLE`);
    expect(other).toEqual([]);
    expect(failed.length).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);

    // The retries, as a client would send them: same key, same request.
    for (const call of failed) await spend(call);

    const [{ entries, keys }] = (await queryRows<{ entries: number | string; keys: number | string }>(
      handle.db,
      sql`select count(*) as entries, count(distinct idempotency_key) as keys from credit_transactions where type = 'deduction'`,
    )) as [{ entries: number | string; keys: number | string }];
    expect(Number(entries)).toBe(calls.length);
    expect(Number(keys)).toBe(calls.length);
    const [{ used }] = (await queryRows<{ used: number | string }>(handle.db, sql`select sum(used) as used from credit_balances`)) as [
      { used: number | string },
    ];
    expect(Number(used)).toBe(calls.length);
    expect(await findLedgerDrift(handle.db)).toEqual([]);
  }, 90_000);
});
