/**
 * `npm run bench:credits` — deductions per second and latency for three ways of spending credits:
 *   (a) deductCreditsBonusFirst, the service callers use;
 *   (b) the same SQL statement sent raw through postgres.js, no ORM (the floor);
 *   (c) a naive read-then-write transaction (SELECT … FOR UPDATE, compute, UPDATE, INSERT), which is
 *       what most starters ship.
 * Each runs at concurrency 1, 8 and 32, on one hot user and spread over 10,000 users, against a
 * fresh database on the server in BENCH_DATABASE_URL (default: the local Postgres), dropped after.
 */
import os from 'node:os';

import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { z } from 'zod';

import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { ledger, walletOf } from '@/features/common/payments/service/ledger/ledger';
import { migrateDatabase, openPostgres, setDatabase } from '@/shared/db/client';

const options = z
  .object({
    BENCH_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
    BENCH_OPS: z.coerce.number().int().positive().default(3000),
  })
  .parse(process.env);

const USERS = 10_000;
const CONCURRENCY = [1, 8, 32];
const HOT_USER = 'bench-hot';

type Deduct = (userId: string) => Promise<unknown>;

const dialect = new PgDialect();

function variants(client: postgres.Sql): Record<'a' | 'b' | 'c', Deduct> {
  return {
    a: (userId) => deductCreditsBonusFirst({ userId, credits: 1, reason: 'bench' }),
    b: (userId) => {
      const query = dialect.sqlToQuery(ledger.deduct(walletOf({ userId }), 1, { reason: 'bench', actorType: 'user', actorId: userId }));
      return client.unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: true });
    },
    c: (userId) =>
      client.begin(async (tx) => {
        const walletId = `user:${userId}`;
        const [row] = await tx`select purchased, bonus, used from credit_balances where wallet_id = ${walletId} for update`;
        const bonus = Number(row!.bonus);
        const purchased = Number(row!.purchased);
        if (bonus + purchased < 1) throw new Error('insufficient');
        const fromBonus = Math.min(bonus, 1);
        const after = { bonus: bonus - fromBonus, purchased: purchased - (1 - fromBonus), used: Number(row!.used) + 1 };
        await tx`update credit_balances set bonus = ${after.bonus}, purchased = ${after.purchased}, used = ${after.used}, updated_at = now()
                 where wallet_id = ${walletId}`;
        await tx`insert into credit_transactions (wallet_id, type, purchased_delta, bonus_delta, used_delta, purchased_after, bonus_after, used_after, reason, actor_type, actor_id)
                 values (${walletId}, 'deduction', ${-(1 - fromBonus)}, ${-fromBonus}, 1, ${after.purchased}, ${after.bonus}, ${after.used}, 'bench', 'user', ${userId})`;
      }),
  };
}

interface Point {
  opsPerSecond: number;
  p50: number;
  p99: number;
}

async function measure(deduct: Deduct, pickUser: () => string, concurrency: number, ops: number): Promise<Point> {
  const latencies: number[] = [];
  let issued = 0;
  const worker = async () => {
    while (issued < ops) {
      issued++;
      const start = performance.now();
      await deduct(pickUser());
      latencies.push(performance.now() - start);
    }
  };
  // Warm the connections and plans first.
  for (let i = 0; i < 300; i++) await deduct(pickUser());
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { opsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

async function main() {
  const name = `bench_${Date.now()}`;
  const admin = postgres(options.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = await openPostgres(url.toString(), { max: 32 });
  const client = postgres(url.toString(), { max: 32, onnotice: () => {} });
  try {
    await migrateDatabase(handle);
    setDatabase(handle);
    const plenty = 1_000_000_000;
    await client.unsafe(`
      insert into users (id, email) select 'bench-' || g, 'bench-' || g || '@example.com' from generate_series(1, ${USERS}) g;
      insert into users (id, email) values ('${HOT_USER}', 'hot@example.com');
      update credit_balances set purchased = ${plenty}, bonus = ${plenty};
      insert into credit_lots (wallet_id, bucket, source, credits_granted, credits_left)
        select wallet_id, 'purchased', 'grant', purchased, purchased from credit_balances
        union all select wallet_id, 'bonus', 'grant', bonus, bonus from credit_balances;
      insert into credit_transactions (wallet_id, type, purchased_delta, bonus_delta, used_delta, purchased_after, bonus_after, used_after, reason, actor_type)
        select wallet_id, 'grant', purchased, bonus, 0, purchased, bonus, 0, 'bench seed', 'system' from credit_balances;
      analyze;`);
    const [{ version }] = (await client`select version()`) as unknown as [{ version: string }];

    const runs = variants(client);
    const targets = {
      hot: () => HOT_USER,
      spread: () => `bench-${1 + Math.floor(Math.random() * USERS)}`,
    };
    const rows: string[] = [];
    for (const [target, pickUser] of Object.entries(targets)) {
      for (const concurrency of CONCURRENCY) {
        const result = {} as Record<'a' | 'b' | 'c', Point>;
        for (const key of ['a', 'b', 'c'] as const) result[key] = await measure(runs[key], pickUser, concurrency, options.BENCH_OPS);
        const fmt = (p: Point) => `${Math.round(p.opsPerSecond).toLocaleString('en-US')} /s, p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms`;
        rows.push(
          `| ${target} | ${concurrency} | ${fmt(result.a)} | ${fmt(result.b)} | ${fmt(result.c)} | ${(result.a.opsPerSecond / result.b.opsPerSecond).toFixed(2)} | ${(result.a.opsPerSecond / result.c.opsPerSecond).toFixed(2)} |`,
        );
        console.error(rows.at(-1));
      }
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nMachine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    console.log(`Database: ${version.split(' on ')[0]}, client and server on the same machine; ${options.BENCH_OPS} deductions a point after 300 warm-up\n`);
    console.log('| user | concurrency | (a) deductCreditsBonusFirst | (b) raw SQL, no ORM | (c) naive read-then-write | a/b | a/c |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await client.end();
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
