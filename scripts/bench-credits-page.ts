/**
 * `npm run bench:credits-page` — the credits page for a user with 100,000 ledger entries:
 *   1. the server time of the page's data (balance, a page of history, 30 days of usage by feature),
 *      as the page loads it, and of the history filters, with the query plans (EXPLAIN ANALYZE);
 *   2. with a production build present (`npm run build`), the whole page over HTTP from `next start`
 *      (render included), signed in as that user;
 *   3. the CSV export's memory as the row count grows: the streamed export against loading every row
 *      first, in one process (run with --expose-gc).
 * Against a fresh database on the server in BENCH_DATABASE_URL (default: the local Postgres), dropped after.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';

import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { z } from 'zod';

import { listCreditTransactions, getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { getCreditsUsageByFeature } from '@/features/common/payments/service/credits-usage.service';
import { exportCreditTransactions } from '@/features/common/payments/service/insights/ledger-export';
import { migrateDatabase, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import * as schema from '@/shared/db/schema';
import { csvStream, toCsv } from '@/shared/lib/csv';

const options = z
  .object({
    BENCH_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
    BENCH_ENTRIES: z.coerce.number().int().positive().default(100_000),
    BENCH_SPAN_DAYS: z.coerce.number().int().positive().default(365),
    BENCH_OTHER_USERS: z.coerce.number().int().min(0).default(10_000),
    BENCH_RUNS: z.coerce.number().int().positive().default(200),
    BENCH_PORT: z.coerce.number().int().positive().default(3401),
  })
  .parse(process.env);

const USER = 'bench-page';
const WALLET = `user:${USER}`;
const DAY_MS = 24 * 60 * 60 * 1000;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function time(runs: number, run: () => Promise<unknown>): Promise<ReturnType<typeof stats>> {
  for (let i = 0; i < Math.min(20, runs); i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return stats(samples);
}

async function seed(client: postgres.Sql) {
  const { BENCH_ENTRIES: n, BENCH_SPAN_DAYS: days, BENCH_OTHER_USERS: others } = options;
  await client.unsafe(`
    insert into users (id, email) values ('${USER}', 'bench-page@example.com');
    insert into users (id, email) select 'bg-' || g, 'bg-' || g || '@example.com' from generate_series(1, ${others}) g;`);
  // The heavy user's entries, over the last ${days} days, interleaved in time (and so on disk) with
  // 100 entries of each of the other users: mostly deductions across four features, a purchase every
  // 1,000, holds settled under a feature, grants, and rare refunds (the filter's worst case).
  await client.unsafe(`
    with heavy as (
      select '${WALLET}' as wallet, g,
             now() - interval '${days} days' + (g * interval '${days} days') / ${n} as at,
             case when g % 1000 = 1 then 'purchase' when g % 5000 = 2 then 'refund' when g % 400 = 3 then 'grant'
                  when g % 50 = 4 then 'hold' when g % 50 = 5 then 'hold_settled' else 'deduction' end::credit_transaction_type as type
        from generate_series(1, ${n}) g
    ), background as (
      select 'user:bg-' || (g % ${Math.max(others, 1)} + 1) as wallet, g,
             now() - interval '${days} days' + (g * interval '${days} days') / ${others * 100 || 1} as at,
             case when g % 100 = 0 then 'purchase' else 'deduction' end::credit_transaction_type as type
        from generate_series(1, ${others * 100}) g
    ), rows as (
      select wallet, g, at, type,
             case type when 'purchase' then 5000 when 'refund' then -100 when 'hold' then -20 when 'hold_settled' then 5
                       when 'grant' then 0 else -(1 + g % 7) end as p,
             case type when 'grant' then 200 else 0 end as b,
             case type when 'hold' then 20 when 'hold_settled' then -20 else 0 end as h,
             case type when 'hold_settled' then 15 when 'deduction' then 1 + g % 7 else 0 end as u,
             case when type = 'hold_settled' then 'render' when type <> 'deduction' then null
                  when g % 20 < 12 then 'generation' when g % 20 < 17 then 'summaries' when g % 20 < 19 then 'export' end as feature
        from (select * from heavy union all select * from background) x
    )
    insert into credit_transactions (wallet_id, type, purchased_delta, bonus_delta, held_delta, used_delta,
      purchased_after, bonus_after, held_after, used_after, reason, actor_type, actor_id, feature, metadata, created_at)
    select wallet, type, p, b, h, u,
           sum(p) over w, sum(b) over w, sum(h) over w, sum(u) over w,
           case type when 'deduction' then 'Run generation' when 'purchase' then 'Purchase: Pro Pack' when 'refund' then 'Refund'
                     when 'grant' then 'Promo' else 'Render job' end,
           case type when 'purchase' then 'stripe' when 'refund' then 'stripe' when 'grant' then 'system' else 'user' end::credit_actor_type,
           case when type in ('deduction', 'hold', 'hold_settled') then substr(wallet, 6) end,
           feature,
           case when type = 'purchase' then jsonb_build_object('amountMinor', 4000, 'currency', 'usd') end,
           at
      from rows
    window w as (partition by wallet order by at, g)
    order by at, wallet, g;`);
  await client.unsafe(`
    update credit_balances b set purchased = greatest(s.p, 0), bonus = greatest(s.b, 0), used = s.u
      from (select wallet_id, sum(purchased_delta) p, sum(bonus_delta) b, sum(used_delta) u from credit_transactions group by wallet_id) s
     where s.wallet_id = b.wallet_id;
    insert into credit_lots (wallet_id, bucket, source, credits_granted, credits_left)
      select wallet_id, 'purchased'::credit_bucket, 'opening_balance'::credit_lot_source, purchased, purchased from credit_balances where purchased > 0
      union all select wallet_id, 'bonus', 'opening_balance', bonus, bonus from credit_balances where bonus > 0;`);
  // What autovacuum does on a live database: statistics, and the visibility map index-only scans need.
  await client.unsafe('vacuum analyze');
}

interface Captured {
  query: string;
  params: unknown[];
}

async function main() {
  const name = `bench_page_${Date.now()}`;
  const admin = postgres(options.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  const captured: Captured[] = [];
  let capture = false;
  const appClient = postgres(url.toString(), {
    max: 10,
    onnotice: () => {},
    debug: (_connection, query, params) => {
      if (capture) captured.push({ query, params: params as unknown[] });
    },
  });
  const handle: DatabaseHandle = { db: drizzle(appClient, { schema }) as DatabaseHandle['db'], driver: 'postgres', poolSize: 10, close: () => appClient.end() };
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const out: string[] = [];
  const print = (line = '') => {
    out.push(line);
    console.error(line);
  };
  let server: ReturnType<typeof spawn> | undefined;
  try {
    await migrateDatabase(handle);
    setDatabase(handle);
    const seeded = performance.now();
    await seed(client);
    const [{ count }] = (await client`select count(*)::int as count from credit_transactions where wallet_id = ${WALLET}`) as unknown as [{ count: number }];
    const [{ total }] = (await client`select count(*)::int as total from credit_transactions`) as unknown as [{ total: number }];
    const [{ version }] = (await client`select version()`) as unknown as [{ version: string }];
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    print(`Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    print(`Database: ${version.split(' on ')[0]}, same machine. The user has ${count.toLocaleString('en-US')} entries over ${options.BENCH_SPAN_DAYS} days, among ${total.toLocaleString('en-US')} in the ledger (seeded in ${((performance.now() - seeded) / 1000).toFixed(0)} s, then VACUUM ANALYZE).`);

    // 1. The page's data, as the page loads it.
    const loadPage = (query: Parameters<typeof listCreditTransactions>[1] = {}) =>
      Promise.all([getCreditsBalance(USER), listCreditTransactions(USER, { limit: 20, ...query }), getCreditsUsageByFeature(USER)]);
    const yearAgo = new Date(Date.now() - 300 * DAY_MS);
    const variants: [string, Parameters<typeof listCreditTransactions>[1]][] = [
      ['no filter (the page as it opens)', {}],
      ['kind: usage', { types: ['deduction', 'hold_settled'] }],
      ['kind: refunds (20 among 100,000)', { types: ['refund'] }],
      ['one day, 300 days ago', { from: yearAgo, to: new Date(yearAgo.getTime() + DAY_MS) }],
      ['page 50 of the history (cursor)', { cursor: 0 }],
    ];
    const [oldest] = (await client`select id from credit_transactions where wallet_id = ${WALLET} order by id desc offset 1000 limit 1`) as unknown as [{ id: number }];
    variants[4]![1] = { cursor: Number(oldest.id) };

    print('\n| credits page data | p50 | p95 | max |');
    print('|---|---|---|---|');
    for (const [label, query] of variants) {
      const s = await time(options.BENCH_RUNS, () => loadPage(query));
      print(`| ${label} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
    }

    // The plans of every statement the page runs, and of the filtered history.
    capture = true;
    await loadPage();
    await listCreditTransactions(USER, { limit: 20, types: ['refund'] });
    await listCreditTransactions(USER, { limit: 20, from: yearAgo, to: new Date(yearAgo.getTime() + DAY_MS) });
    capture = false;
    print('\n#### Query plans (EXPLAIN ANALYZE, BUFFERS)\n');
    for (const statement of captured) {
      const plan = (await client.unsafe(`explain (analyze, buffers, costs off, summary on) ${statement.query}`, statement.params as never[])) as unknown as {
        'QUERY PLAN': string;
      }[];
      print('```sql');
      print(statement.query.replace(/\s+/g, ' ').trim());
      print(`-- ${JSON.stringify(statement.params)}`);
      for (const line of plan) print(line['QUERY PLAN']);
      print('```\n');
    }

    // 2. The whole page over HTTP, when there is a build to serve.
    if (existsSync('.next/BUILD_ID')) {
      const token = randomBytes(32).toString('hex');
      await client`insert into sessions (session_token, user_id, expires) values (${token}, ${USER}, now() + interval '1 day')`;
      const base = `http://localhost:${options.BENCH_PORT}`;
      server = spawn('npx', ['next', 'start', '--port', String(options.BENCH_PORT)], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          APP_URL: base,
          AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
          DATABASE_URL: url.toString(),
          EMAIL_OUTBOX: 'true',
          PAYMENTS_SIMULATOR: 'true',
          STRIPE_WEBHOOK_SECRET: 'whsec_bench_simulator',
          NEXT_TELEMETRY_DISABLED: '1',
        },
        stdio: 'ignore',
        detached: true,
      });
      for (let i = 0; i < 60; i++) {
        if (await fetch(`${base}/`).then((r) => r.ok, () => false)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const get = async (path: string) => {
        const response = await fetch(`${base}${path}`, { headers: { cookie: `authjs.session-token=${token}` }, redirect: 'manual' });
        const body = await response.text();
        if (response.status !== 200 || !body.includes('Where your credits went')) throw new Error(`GET ${path} answered ${response.status}`);
      };
      print('\n| the whole page over HTTP (next start, render included) | p50 | p95 | max |');
      print('|---|---|---|---|');
      for (const [label, path] of [
        ['/dashboard/billings/credits', '/dashboard/billings/credits'],
        ['?type=refunds', '/dashboard/billings/credits?type=refunds'],
      ]) {
        const s = await time(Math.min(options.BENCH_RUNS, 100), () => get(path!));
        print(`| ${label} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
      }
    } else {
      print('\n(No production build in .next: run `npm run build` first to time the whole page over HTTP.)');
    }

    // 3. Export memory: streamed, against holding every row first. What counts is what stays alive
    // (measured after a forced GC every 10 batches), not garbage that V8 has not collected yet.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('Run with node --expose-gc (npm run bench:credits-page does)');
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const streamed = async (from: Date) => {
      const base = live();
      let peak = 0;
      const exported = await exportCreditTransactions(USER, { from });
      const reader = csvStream(exported.header, exported.batches).getReader();
      let bytes = 0;
      let chunks = 0;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        bytes += chunk.value.byteLength;
        if (++chunks % 10 === 0) peak = Math.max(peak, live() - base);
      }
      return { bytes, peak };
    };
    const heldFirst = async (from: Date) => {
      const base = live();
      const exported = await exportCreditTransactions(USER, { from });
      const rows = [];
      for await (const batch of exported.batches) rows.push(...batch);
      const loaded = live() - base;
      const csv = toCsv([exported.header, ...rows]);
      const peak = Math.max(loaded, live() - base);
      return { bytes: Buffer.byteLength(csv), peak };
    };
    print('\n| rows exported | CSV size | streamed: live memory, peak | streamed: time | all rows held first: live memory, peak |');
    print('|---|---|---|---|---|');
    for (const fraction of [0.1, 0.25, 0.5, 1]) {
      const from = new Date(Date.now() - fraction * options.BENCH_SPAN_DAYS * DAY_MS - (fraction === 1 ? DAY_MS : 0));
      const [{ rows }] = (await client`select count(*)::int as rows from credit_transactions where wallet_id = ${WALLET} and created_at >= ${from.toISOString()}::timestamptz`) as unknown as [{ rows: number }];
      const started = performance.now();
      const a = await streamed(from);
      const seconds = (performance.now() - started) / 1000;
      const b = await heldFirst(from);
      const mib = (value: number) => `${(value / 2 ** 20).toFixed(1)} MiB`;
      print(`| ${rows.toLocaleString('en-US')} | ${mib(a.bytes)} | ${mib(a.peak)} | ${seconds.toFixed(2)} s | ${mib(b.peak)} |`);
    }
  } finally {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
    await client.end();
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  console.log(out.join('\n'));
}

await main();
