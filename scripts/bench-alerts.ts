/**
 * `npm run bench:alerts` — what the low-balance and auto top-up triggers cost a deduction. The same
 * deductions (`deductCreditsBonusFirst`, 1 credit, spread over 1,000 users, concurrency 8) on wallets
 * without a threshold, with an alert threshold that is not crossed (the trigger's WHEN clause is
 * false), with an auto top-up threshold too, and, separately, the deduction that crosses both (it
 * queues the alert and auto top-up jobs). Fresh database on BENCH_DATABASE_URL, dropped after.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';

import { runJobs } from '@/features/common/payments/service/jobs/jobs';
import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { migrateDatabase, openPostgres, setDatabase } from '@/shared/db/client';

const options = z
  .object({
    BENCH_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
    BENCH_OPS: z.coerce.number().int().positive().default(4000),
  })
  .parse(process.env);

const USERS = 1000;
const CONCURRENCY = 8;
const name = `bench_alerts_${process.pid}`;
const admin = postgres(options.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(options.BENCH_DATABASE_URL);
url.pathname = `/${name}`;
const handle = await openPostgres(url.toString(), { max: CONCURRENCY + 2 });
try {
  await migrateDatabase(handle);
  setDatabase(handle);
  const db = handle.db;
  const users = Array.from({ length: USERS }, (_, i) => `bench-${i}`);
  await db.execute(sql`insert into users (id, email) select 'bench-' || i, 'bench-' || i || '@bench.example' from generate_series(0, ${USERS - 1}) as i`);
  for (const userId of users) await addCreditsDirectly({ userId, credits: 100_000_000, creditsType: 'purchased', reason: 'bench' });

  async function run(label: string) {
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < options.BENCH_OPS) {
          const userId = users[next++ % USERS]!;
          const t = performance.now();
          await deductCreditsBonusFirst({ userId, credits: 1, reason: 'bench' });
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2);
    console.log(`${label.padEnd(34)} ${(options.BENCH_OPS / seconds).toFixed(0).padStart(6)} deductions/s  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms`);
    return options.BENCH_OPS / seconds;
  }

  await run('warm-up');
  const without = await run('no threshold');
  await db.execute(sql`update credit_balances set alert_threshold = 1`);
  const armed = await run('threshold set, not crossed');
  console.log(`difference: ${(((without - armed) / without) * 100).toFixed(1)}% (negative: faster with the threshold; within noise)`);
  await db.execute(sql`update credit_balances set auto_top_up_threshold = 1`);
  const both = await run('+ auto top-up threshold, not crossed');
  console.log(`difference: ${(((without - both) / without) * 100).toFixed(1)}% against no threshold (negative: faster; within noise)`);

  // The crossing itself: each user's threshold is its balance, so its next deduction crosses it.
  // The alert callback logs each crossing; the figures are what matters here.
  console.info = () => {};
  await db.execute(sql`update credit_balances set alert_threshold = purchased + bonus, auto_top_up_threshold = purchased + bonus`);
  const t = performance.now();
  for (const userId of users.slice(0, 200)) await deductCreditsBonusFirst({ userId, credits: 1, reason: 'cross' });
  const crossing = (performance.now() - t) / 200;
  const t2 = performance.now();
  for (const userId of users.slice(0, 200)) await deductCreditsBonusFirst({ userId, credits: 1, reason: 'below' });
  const below = (performance.now() - t2) / 200;
  console.log(
    `sequential: a crossing deduction (alert and auto top-up jobs queued) ${crossing.toFixed(2)} ms, one that crosses nothing ${below.toFixed(2)} ms`,
  );
  // The crossings queued jobs, which this process runs a moment after spending: let them finish before closing.
  await new Promise((resolve) => setTimeout(resolve, 500));
  while ((await runJobs()).done > 0);
} finally {
  await handle.close();
  await admin.unsafe(`drop database ${name}`);
  await admin.end();
}
