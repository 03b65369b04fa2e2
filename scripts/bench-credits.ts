/**
 * `npm run bench:credits` — how fast credits are spent, against the floor, in one run:
 *
 * 1. Deductions of 1 credit through `deductCreditsBonusFirst`, one statement per call (batching off)
 *    and batched (`billing.credits.batchDeductions` on), beside pgbench running the SAME statement
 *    (`select * from credits_deduct(…)`, the text our code sends, prepared, same parameters): the
 *    floor for one statement per deduction. On one hot user at concurrency 1, 8 and 32, and spread
 *    over 2,000 users at 8 and 32. Each with the ratio ours / pgbench. Beside them the same statement
 *    sent by postgres.js alone (no app code): what the driver and Node cost, apart from ours. And
 *    batched with `billing.credits.maxDeductionStatements` at the machine's cores: at most that many
 *    statements in flight, whatever waits meanwhile going together across wallets.
 * 2. Reserve + settle pairs per second (`reserveCredits` then `settleCreditHold`), hot and spread,
 *    beside single deductions at the same concurrency.
 * 3. Deductions on a wallet with 1 lot against one with 20 lots.
 * 4. Stripe webhook deliveries: signed `checkout.session.completed` events for pending purchases,
 *    through the webhook handler as the route runs it (verified, fulfilled and committed before the
 *    answer; the receipt and callback after it, as `after()` runs them), at concurrency 8: answered
 *    per second with p50 and p99, and per second until every receipt and callback was done; then the
 *    same with `JOB_RUNNER=worker` and the job worker in a second process. BENCH_ROUNDS rounds of
 *    each, the median round reported.
 *
 * It works in a fresh database on the server in BENCH_DATABASE_URL (default the local Postgres),
 * dropped afterwards, and ends with a markdown table for docs/benchmarks.md.
 * Knobs: BENCH_OPS (operations per point and round, default 3000), BENCH_ROUNDS (rounds per point and
 * webhook mode, default 3: pgbench and ours take turns, the median round is reported), BENCH_POINTS (the deduction points,
 * default hot:1,hot:8,hot:32,spread:8,spread:32), BENCH_QUICK=1 (a short smoke run),
 * BENCH_PGBENCH (the pgbench binary; default `pgbench` on PATH, else Postgres 15's). It runs as a
 * production process (NODE_ENV=production, see bench-env.ts): production React renders the receipts.
 */
import './bench-env';

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import Stripe from 'stripe';
import postgres from 'postgres';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { deductCreditsBonusFirst, reserveCredits, settleCreditHold } from '@/features/common/payments/service/credits-balance.service';
import { DEDUCT_STATEMENT } from '@/features/common/payments/service/ledger/ledger';
import { addCreditsDirectly, createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { migrateDatabase, openPostgres, setDatabase } from '@/shared/db/client';
import { startStripeServer } from '../tests/helpers/stripe-server';

const options = z
  .object({
    BENCH_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
    BENCH_QUICK: z.enum(['0', '1', '']).optional(),
    BENCH_OPS: z.coerce.number().int().positive().optional(),
    BENCH_ROUNDS: z.coerce.number().int().positive().max(15).optional(),
    BENCH_PGBENCH: z.string().optional(),
    BENCH_POINTS: z
      .string()
      .regex(/^(hot|spread):\d+(,(hot|spread):\d+)*$/, 'a list such as hot:1,spread:8')
      .optional(),
  })
  .parse(process.env);

const QUICK = options.BENCH_QUICK === '1';
const OPS = options.BENCH_OPS ?? (QUICK ? 600 : 3000);
/** Rounds a deduction point is measured in, taking turns (the median round is reported). */
const ROUNDS = options.BENCH_ROUNDS ?? (QUICK ? 1 : 3);
const WEBHOOKS = QUICK ? 200 : 1000;
const USERS = 2000;
const HOT = 'bench-hot';
const PGBENCH = options.BENCH_PGBENCH ?? (existsSync('/usr/bin/pgbench') ? 'pgbench' : '/usr/lib/postgresql/15/bin/pgbench');
const run = promisify(execFile);

interface Point {
  opsPerSecond: number;
  p50: number | null;
  p99: number | null;
}

const setBatching = (on: boolean, statements?: number) => {
  const credits = appConfig.billing.credits as { batchDeductions: boolean; maxDeductionStatements: number | null };
  credits.batchDeductions = on;
  credits.maxDeductionStatements = statements ?? null;
};
/** `maxDeductionStatements` for the grouped column: the cores of this machine, where the database runs. */
const CORES = os.cpus().length;
const spreadUser = () => `bench-${1 + Math.floor(Math.random() * USERS)}`;

/** Runs `op` `ops` times from `concurrency` workers (closed loop), after a warm-up at the same concurrency. */
async function measure(op: () => Promise<unknown>, concurrency: number, ops: number): Promise<Point> {
  const loop = async (count: number, latencies: number[] | null) => {
    let issued = 0;
    const worker = async () => {
      while (issued < count) {
        issued++;
        const start = performance.now();
        await op();
        latencies?.push(performance.now() - start);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await loop(Math.max(100, concurrency * 10, Math.floor(ops / 10)), null);
  const latencies: number[] = [];
  const started = performance.now();
  await loop(ops, latencies);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { opsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

/**
 * pgbench running our deduction statement: DEDUCT_STATEMENT's text with its parameters as pgbench
 * variables, prepared (`-M prepared`), so the server sees the same statement with the same parameters.
 */
async function pgbench(url: string, dir: string, target: 'hot' | 'spread', concurrency: number, ops: number): Promise<Point> {
  const wallet = target === 'hot' ? ':wallet' : '(:prefix::text || :n)';
  const actor = target === 'hot' ? ':actorid' : '(:idprefix::text || :n)';
  const values = [wallet, ':credits', ':reason', ':actor', actor, 'null', 'null', 'null', 'null', 'null'];
  const statement = DEDUCT_STATEMENT.replace(/\$(\d+)/g, (_, i: string) => values[Number(i) - 1]!);
  const file = path.join(dir, `${target}.sql`);
  await writeFile(file, `\\set n random(1, ${USERS})\n\\set credits 1\n${statement.replace(/\s+/g, ' ').trim()};\n`);
  const args = ['-n', '-M', 'prepared', '-f', file, '-c', String(concurrency), '-j', String(Math.min(concurrency, 2))];
  const variables = { wallet: `user:${HOT}`, actorid: HOT, prefix: 'user:bench-', idprefix: 'bench-', reason: 'bench', actor: 'user' };
  for (const [name, value] of Object.entries(variables)) args.push('-D', `${name}=${value}`);
  // Warm the server's caches the same way our warm-up does, then measure.
  await run(PGBENCH, [...args, '-t', String(Math.max(10, Math.ceil(ops / 10 / concurrency))), url]);
  const { stdout } = await run(PGBENCH, [...args, '-t', String(Math.ceil(ops / concurrency)), url]);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} transactions failed:\n${stdout}`);
  return { opsPerSecond: Number(tps[1]), p50: null, p99: null };
}

const rate = (p: Point) => `${Math.round(p.opsPerSecond).toLocaleString('en-US')} /s`;
const latency = (p: Point) => (p.p50 === null ? '' : `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99!.toFixed(2)} ms`);
const ratio = (a: Point, b: Point) => (a.opsPerSecond / b.opsPerSecond).toFixed(2);

async function seed(client: postgres.Sql) {
  const plenty = 1_000_000_000;
  await client.unsafe(`
    insert into users (id, email) select 'bench-' || g, 'bench-' || g || '@example.com' from generate_series(1, ${USERS}) g;
    insert into users (id, email) values ('${HOT}', 'hot@example.com');
    update credit_balances set purchased = ${plenty}, bonus = ${plenty};
    insert into credit_lots (wallet_id, bucket, source, credits_granted, credits_left)
      select wallet_id, 'purchased'::credit_bucket, 'grant'::credit_lot_source, purchased, purchased from credit_balances
      union all select wallet_id, 'bonus'::credit_bucket, 'grant'::credit_lot_source, bonus, bonus from credit_balances;
    insert into credit_transactions (wallet_id, type, purchased_delta, bonus_delta, used_delta, purchased_after, bonus_after, used_after, reason, actor_type)
      select wallet_id, 'grant', purchased, bonus, 0, purchased, bonus, 0, 'bench seed', 'system' from credit_balances;
    insert into users (id, email) values ('bench-lots-1', 'lots-1@example.com'), ('bench-lots-20', 'lots-20@example.com');
    analyze;`);
  // The lot wallets through the service, as an app grants them: 1 lot, and 20 lots expiring on 20 days.
  await addCreditsDirectly({ userId: 'bench-lots-1', credits: 20 * plenty, creditsType: 'bonus', reason: 'bench seed' });
  for (let i = 1; i <= 20; i++) {
    await addCreditsDirectly({
      userId: 'bench-lots-20',
      credits: plenty,
      creditsType: 'bonus',
      reason: 'bench seed',
      expiresAt: new Date(Date.now() + (30 + i) * 86_400_000),
    });
  }
}

/** Pending purchases made as the tests make them (checkout against the local Stripe server), and their signed completions. */
async function webhookDeliveries(client: postgres.Sql, count: number, prefix: string) {
  await client.unsafe(`insert into users (id, email) select '${prefix}-' || g, '${prefix}-' || g || '@example.com' from generate_series(1, ${count}) g`);
  const fixture = JSON.parse(await readFile(path.join(process.cwd(), 'tests/fixtures/stripe/checkout.session.completed.json'), 'utf8'));
  delete fixture._derived_note;
  const signer = new Stripe('sk_test_bench');
  const deliveries: { body: string; userId: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const userId = `${prefix}-${++next}`;
        const session = await createCreditsCheckoutSession(
          { userId, packageId: 'starter' },
          { successUrl: 'http://localhost:3000/?billing=success', cancelUrl: 'http://localhost:3000/?billing=cancel' },
        );
        const event = structuredClone(fixture);
        event.id = `evt_bench_${session.id}`;
        event.created = Math.floor(Date.now() / 1000);
        event.data.object = {
          ...event.data.object,
          id: session.id,
          payment_intent: `pi_test_${session.id}`,
          amount_total: 1000,
          amount_subtotal: 1000,
          currency: 'usd',
          client_reference_id: userId,
        };
        deliveries.push({ body: JSON.stringify(event), userId });
      }
    }),
  );
  // Signed as Stripe signs (the sender's work, done before the clock starts).
  return deliveries.map(({ body }) => ({ body, signature: signer.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_test_local' }) }));
}

/**
 * Delivers every event from `concurrency` senders through the handler as the route runs it inside
 * Next: what `after()` would run once the response is sent starts as the handler returns. The clock
 * for each delivery stops at its answer; `drained` is the rate until the last receipt was done (`drain`
 * waits for a separate worker's).
 */
async function deliverAll(
  deliveries: { body: string; signature: string }[],
  concurrency: number,
  drain: () => Promise<unknown> = async () => {},
): Promise<Point & { drained: number }> {
  const latencies: number[] = [];
  const afterResponse: Promise<unknown>[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries.length) {
        const { body, signature } = deliveries[next++]!;
        const start = performance.now();
        const response = await handleStripeWebhook(
          new Request('http://localhost:3000/api/webhooks/stripe', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': signature },
            body,
          }),
          { afterCommit: (task) => void afterResponse.push(task()) },
        );
        const answer = (await response.json()) as { outcome?: string };
        latencies.push(performance.now() - start);
        if (response.status !== 200 || answer.outcome !== 'fulfilled') throw new Error(`webhook answered ${response.status} ${JSON.stringify(answer)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(afterResponse);
  await drain();
  const drainedSeconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { opsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), drained: latencies.length / drainedSeconds };
}

/** The same statement through postgres.js alone, prepared, with the parameters our code sends for a 1-credit deduction. */
const driverOnly = (client: postgres.Sql, target: 'hot' | 'spread') => () => {
  const userId = target === 'hot' ? HOT : spreadUser();
  return client.unsafe(DEDUCT_STATEMENT, [`user:${userId}`, 1, 'bench', 'user', userId, null, null, null, null, null], { prepare: true });
};

async function main() {
  const name = `bench_${Date.now()}`;
  const admin = postgres(options.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = await openPostgres(url.toString(), { max: 32 });
  const client = postgres(url.toString(), { max: 4, onnotice: () => {} });
  // The driver alone, pooled as the app's handle is.
  const driver = postgres(url.toString(), { max: 32, onnotice: () => {} });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-credits-'));
  const stripe = await startStripeServer();
  const loadBefore = os.loadavg()[0]!;
  const log = (line: string) => console.error(line);
  try {
    await migrateDatabase(handle);
    setDatabase(handle);
    await seed(client);
    const [{ version }] = (await client`select version()`) as unknown as [{ version: string }];
    const { stdout: pgbenchVersion } = await run(PGBENCH, ['--version']);

    const deduct = (userId: string) => () => deductCreditsBonusFirst({ userId, credits: 1, reason: 'bench' });
    const points = options.BENCH_POINTS
      ? options.BENCH_POINTS.split(',').map((point) => {
          const [target, concurrency] = point.split(':');
          return { target: target as 'hot' | 'spread', concurrency: Number(concurrency) };
        })
      : [
          { target: 'hot' as const, concurrency: 1 },
          { target: 'hot' as const, concurrency: 8 },
          { target: 'hot' as const, concurrency: 32 },
          { target: 'spread' as const, concurrency: 8 },
          { target: 'spread' as const, concurrency: 32 },
        ];
    const deductionRows: { target: string; concurrency: number; floor: Point; driver: Point; singles: Point; batched: Point; grouped: Point }[] = [];
    for (const { target, concurrency } of points) {
      const op = () => deductCreditsBonusFirst({ userId: target === 'hot' ? HOT : spreadUser(), credits: 1, reason: 'bench' });
      // ROUNDS rounds, the four taking turns in each, so all see the same moments of the machine; each
      // figure is the median round's (this VM's rates move by ±15% from one second to the next).
      const rounds: { floor: Point; driver: Point; singles: Point; batched: Point; grouped: Point }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts at another of the five, so none always runs first or last (the ledger
        // grows as a point runs; the server's caches and background work shift with it).
        const measures = {
          floor: () => pgbench(url.toString(), dir, target, concurrency, OPS),
          driver: () => measure(driverOnly(driver, target), concurrency, OPS),
          singles: () => (setBatching(false), measure(op, concurrency, OPS)),
          batched: () => (setBatching(true), measure(op, concurrency, OPS)),
          grouped: () => (setBatching(true, CORES), measure(op, concurrency, OPS)),
        };
        const names = Object.keys(measures) as (keyof typeof measures)[];
        const result = {} as Record<keyof typeof measures, Point>;
        for (let i = 0; i < names.length; i++) {
          const name = names[(round + i) % names.length]!;
          result[name] = await measures[name]();
        }
        setBatching(true);
        rounds.push(result);
      }
      const median = (pick: (r: (typeof rounds)[number]) => Point) => rounds.map(pick).sort((a, b) => a.opsPerSecond - b.opsPerSecond)[Math.floor(ROUNDS / 2)]!;
      const floor = median((r) => r.floor);
      const driverPoint = median((r) => r.driver);
      const singles = median((r) => r.singles);
      const batched = median((r) => r.batched);
      const grouped = median((r) => r.grouped);
      deductionRows.push({ target, concurrency, floor, driver: driverPoint, singles, batched, grouped });
      log(
        `${target} c=${concurrency}: pgbench ${rate(floor)}, postgres.js alone ${rate(driverPoint)} (${ratio(driverPoint, floor)}), singles ${rate(singles)} (${ratio(singles, floor)}; ${ratio(singles, driverPoint)} of the driver alone), batched ${rate(batched)} (${ratio(batched, floor)}), grouped (${CORES} statements) ${rate(grouped)} (${ratio(grouped, floor)})`,
      );
    }

    // Reserve + settle, beside single deductions at the same concurrency (batching off for both: one statement each).
    setBatching(false);
    const pairRows: { target: string; pairs: Point; singles: Point }[] = [];
    for (const target of ['hot', 'spread'] as const) {
      const pick = () => (target === 'hot' ? HOT : spreadUser());
      const pairs = await measure(
        async () => {
          const userId = pick();
          const hold = await reserveCredits({ userId, credits: 5, reason: 'bench' });
          await settleCreditHold({ userId, holdId: hold.holdId, credits: 3 });
        },
        8,
        Math.ceil(OPS / 2),
      );
      const singles = await measure(() => deductCreditsBonusFirst({ userId: pick(), credits: 1, reason: 'bench' }), 8, OPS);
      pairRows.push({ target, pairs, singles });
      log(`reserve+settle ${target} c=8: ${rate(pairs)} pairs, singles ${rate(singles)}`);
    }

    const oneLot = await measure(deduct('bench-lots-1'), 1, OPS);
    const twentyLots = await measure(deduct('bench-lots-20'), 1, OPS);
    log(`lots c=1: 1 lot ${rate(oneLot)}, 20 lots ${rate(twentyLots)}`);
    setBatching(true);

    // Each round: new purchases, a warm-up of a tenth as many deliveries (the pool's connections
    // prepare their statements, the JIT compiles the handler), then the measured ones; ROUNDS rounds,
    // the median round's figures (as for the deductions: this VM's rate moves from one second to the next).
    const warmUp = Math.max(50, Math.floor(WEBHOOKS / 10));
    const webhookRounds = async (prefix: string, drain?: () => Promise<unknown>) => {
      const rounds: (Point & { drained: number })[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const deliveries = await webhookDeliveries(client, warmUp + WEBHOOKS, `${prefix}${round}x`);
        const info = console.info;
        console.info = () => {}; // the shipped callbacks log a line per purchase
        try {
          await deliverAll(deliveries.slice(0, warmUp), 8, drain);
          rounds.push(await deliverAll(deliveries.slice(warmUp), 8, drain));
        } finally {
          console.info = info;
        }
      }
      const median = [...rounds].sort((a, b) => a.opsPerSecond - b.opsPerSecond)[Math.floor(rounds.length / 2)]!;
      return { ...median, rounds: rounds.map((r) => Math.round(r.opsPerSecond)) };
    };
    const webhooks = await webhookRounds('buyer');
    log(
      `webhooks c=8: ${rate(webhooks)}, ${latency(webhooks)} (rounds ${webhooks.rounds.join(', ')} /s); with receipts and callbacks done ${Math.round(webhooks.drained)} /s`,
    );

    // The same with JOB_RUNNER=worker: this process only answers, and `npm run credits:worker`, a
    // second process on the same two cores, sends the receipts and calls the callbacks meanwhile.
    const pendingJobs = async () => Number((await client`select count(*)::int as n from jobs where done_at is null`)[0]!.n);
    const worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/credits-worker.ts'], {
      env: { ...process.env, DATABASE_URL: url.toString(), JOB_RUNNER: 'worker' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const workerExit = new Promise((resolve) => worker.once('exit', resolve));
    // Until the worker has done every job; a worker that died or a job that keeps failing ends the run.
    const drainJobs = async () => {
      const until = Date.now() + 120_000;
      while ((await pendingJobs()) > 0) {
        if (worker.exitCode !== null) throw new Error(`credits:worker exited with ${worker.exitCode}`);
        if (Date.now() > until) throw new Error('jobs still pending after two minutes: see the worker output above');
        await sleep(20);
      }
    };
    (env as { JOB_RUNNER: string }).JOB_RUNNER = 'worker';
    const withWorker = await webhookRounds('worker-buyer', drainJobs).finally(async () => {
      (env as { JOB_RUNNER: string }).JOB_RUNNER = 'in-process';
      worker.kill('SIGTERM');
      await workerExit;
    });
    log(
      `webhooks c=8, JOB_RUNNER=worker: ${rate(withWorker)}, ${latency(withWorker)} (rounds ${withWorker.rounds.join(', ')} /s); with receipts and callbacks done ${Math.round(withWorker.drained)} /s`,
    );

    const loadAfter = os.loadavg()[0]!;
    const lowest = (pick: (r: (typeof deductionRows)[number]) => Point) => Math.min(...deductionRows.map((r) => pick(r).opsPerSecond / r.floor.opsPerSecond));
    const min = lowest((r) => r.singles);
    const hot32 = deductionRows.find((r) => r.target === 'hot' && r.concurrency === 32);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

    console.log(`\n### Run of ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (BENCH_QUICK: a smoke run, not figures to keep)' : ''}\n`);
    console.log(
      `Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
    );
    console.log(
      `Database: ${version.split(' on ')[0]}, ${pgbenchVersion.trim()}, client and server on the same machine; ${OPS} deductions a point and round after a warm-up at the same concurrency, ${ROUNDS} rounds taking turns, the median round's figures\n`,
    );
    console.log(
      `| user | concurrency | pgbench, same statement (floor) | postgres.js alone, same statement | driver / floor | ours, one statement a call | ours / floor | ours / driver | ours, batched | batched / floor | ours, batched, at most ${CORES} statements in flight | that / floor |`,
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of deductionRows) {
      const who = r.target === 'hot' ? 'one hot user' : `spread over ${USERS.toLocaleString('en-US')}`;
      console.log(
        `| ${who} | ${r.concurrency} | ${rate(r.floor)} | ${rate(r.driver)} | ${ratio(r.driver, r.floor)} | ${rate(r.singles)} (${latency(r.singles)}) | ${ratio(r.singles, r.floor)} | ${ratio(r.singles, r.driver)} | ${rate(r.batched)} (${latency(r.batched)}) | ${ratio(r.batched, r.floor)} | ${rate(r.grouped)} (${latency(r.grouped)}) | ${ratio(r.grouped, r.floor)} |`,
      );
    }
    console.log('\n| other measures | result | beside |');
    console.log('|---|---|---|');
    for (const r of pairRows) {
      const who = r.target === 'hot' ? 'one hot user' : `spread over ${USERS.toLocaleString('en-US')}`;
      console.log(
        `| reserve + settle pairs, ${who}, concurrency 8 | ${rate(r.pairs)} (${latency(r.pairs)}) | single deductions: ${rate(r.singles)}; pairs / singles ${ratio(r.pairs, r.singles)} |`,
      );
    }
    console.log(
      `| deductions on a wallet with 20 lots, concurrency 1 | ${rate(twentyLots)} (${latency(twentyLots)}) | 1 lot: ${rate(oneLot)}; 20 / 1 = ${ratio(twentyLots, oneLot)} |`,
    );
    console.log(
      `| Stripe webhook, checkout.session.completed verified + fulfilled (answered), concurrency 8 | ${rate(webhooks)} (${latency(webhooks)}) | ${WEBHOOKS} deliveries a round, each a new purchase, the receipt and callback run after each answer in the same process; rounds ${webhooks.rounds.join(', ')} /s; with every receipt and callback done: ${Math.round(webhooks.drained).toLocaleString('en-US')} /s |`,
    );
    console.log(
      `| the same with JOB_RUNNER=worker (answered) | ${rate(withWorker)} (${latency(withWorker)}) | ${WEBHOOKS} deliveries a round; receipts and callbacks sent by \`npm run credits:worker\` in a second process on the same machine; rounds ${withWorker.rounds.join(', ')} /s; with every one done: ${Math.round(withWorker.drained).toLocaleString('en-US')} /s |`,
    );
    console.log(
      `\nGoals: one statement a call ≥ 0.9× the floor at every point: ${met(min >= 0.9)} (lowest ${min.toFixed(2)}; batched ${lowest((r) => r.batched).toFixed(2)}, ` +
        `batched with ${CORES} statements in flight ${lowest((r) => r.grouped).toFixed(2)}); ` +
        (hot32
          ? `batched, one hot user at 32 ≥ 3× the floor: ${met(hot32.batched.opsPerSecond >= 3 * hot32.floor.opsPerSecond)} (${ratio(hot32.batched, hot32.floor)}); `
          : 'batched, one hot user at 32: not measured (BENCH_POINTS); ') +
        `webhooks ≥ 500/s with p99 < 50 ms: ${met(webhooks.opsPerSecond >= 500 && webhooks.p99! < 50)} with the receipts in the same process, ` +
        `${met(withWorker.opsPerSecond >= 500 && withWorker.p99! < 50)} with JOB_RUNNER=worker.`,
    );
  } finally {
    await stripe.close();
    await rm(dir, { recursive: true, force: true });
    await client.end();
    await driver.end();
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
