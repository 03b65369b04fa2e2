import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { SQL, type ExtractTablesWithRelations } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';

import { env } from '@/config/env';
import { DatabaseDeadlineError } from '@/shared/db/database-unavailable';
import { acquirePgliteLock, readPgliteLock } from '@/shared/db/pglite-lock';
import * as schema from '@/shared/db/schema';

/**
 * The database seam. `DATABASE_URL` set → Postgres through postgres.js; unset → embedded PGlite
 * (Postgres compiled to WASM) stored in `PGLITE_DIR`. Both speak the same schema and migrations, and
 * both fit the `Database` type below, so services never know which one they run on.
 */

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: what a function that may join a transaction takes. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** How many statements it runs at once: the pool's connections (PGlite runs one at a time). */
  poolSize: number;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

/**
 * Deadlines on the Postgres path, so no request waits forever on a database that went away:
 * connecting gives up after `connectTimeoutSeconds`; a statement after `statementDeadlineMs` (the server
 * stops it through `statement_timeout`, and the client cancels it and rejects at three times that, in
 * case the server cannot answer at all); a transaction left idle is ended by the server. Any of these, and
 * a dropped connection, reach callers as `DatabaseUnavailableError` at the edges (503, `{ ok: false }`).
 */
export const DATABASE_DEADLINES = {
  connectTimeoutSeconds: 3,
  statementDeadlineMs: 5_000,
  idleInTransactionMs: 10_000,
  /** Idle connections are closed after this, and every connection is replaced after maxLifetimeSeconds. */
  idleTimeoutSeconds: 30,
  maxLifetimeSeconds: 30 * 60,
} as const;

/** Opens a Postgres database through postgres.js. */
export async function openPostgres(url: string, options: { max?: number; statementDeadlineMs?: number } = {}): Promise<DatabaseHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const deadlineMs = options.statementDeadlineMs ?? DATABASE_DEADLINES.statementDeadlineMs;
  const poolSize = options.max ?? 10;
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connect_timeout: DATABASE_DEADLINES.connectTimeoutSeconds,
    idle_timeout: DATABASE_DEADLINES.idleTimeoutSeconds,
    max_lifetime: DATABASE_DEADLINES.maxLifetimeSeconds,
    keep_alive: 10,
    // postgres.js's default waits up to 20 s before reconnecting after repeated failures (3^retries/100 s):
    // a restarted server would then sit unused. Retry within a second instead.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    connection: { statement_timeout: deadlineMs, idle_in_transaction_session_timeout: DATABASE_DEADLINES.idleInTransactionMs },
  });
  // The client-side timer also counts time queued for a free connection, so it is a safety net for a
  // server that stopped answering, well past the server's own statement_timeout: a burst of queued
  // statements on a busy pool must not fail for waiting its turn.
  return { db: drizzle(withStatementDeadline(client, 3 * deadlineMs), { schema }), driver: 'postgres', poolSize, close: () => client.end({ timeout: 5 }) };
}

type PostgresClient = import('postgres').Sql;
interface PendingStatement extends PromiseLike<unknown> {
  cancel(): unknown;
}

/**
 * Wraps a postgres.js client so every statement drizzle sends (`unsafe`, also inside `begin` and
 * `savepoint`) has a client-side deadline: past it, the statement is cancelled and its promise
 * rejects with `DatabaseDeadlineError`, also when the server never answers.
 */
function withStatementDeadline<T extends PostgresClient>(client: T, deadlineMs: number): T {
  const wrapScope = (fn: (scoped: PostgresClient) => unknown) => (scoped: PostgresClient) => fn(withStatementDeadline(scoped, deadlineMs));
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (...args: Parameters<PostgresClient['unsafe']>) => armDeadline(target.unsafe(...args) as unknown as PendingStatement, deadlineMs);
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (scoped: PostgresClient) => unknown;
          return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[property]!(...args, wrapScope(fn));
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    apply(target, thisArg, args) {
      return Reflect.apply(target as never, thisArg, args);
    },
  });
}

/** Starts the deadline when the statement is first awaited (postgres.js sends it then). */
function armDeadline<S extends PendingStatement>(statement: S, deadlineMs: number): S {
  const then = statement.then.bind(statement);
  let settled: Promise<unknown> | undefined;
  statement.then = ((onFulfilled, onRejected) => {
    settled ??= new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        Promise.resolve(statement.cancel()).catch(() => {});
        reject(new DatabaseDeadlineError(deadlineMs));
      }, deadlineMs);
      then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
    return settled.then(onFulfilled, onRejected);
  }) as S['then'];
  return statement;
}

/**
 * Opens an embedded PGlite database in `dataDir`, or in memory when `dataDir` is omitted —
 * optionally starting from `snapshot`, a `dumpDataDir()` tarball (tests start from a migrated one).
 */
export async function openPglite(dataDir?: string, options: { snapshot?: Blob } = {}): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create({ ...(dataDir && { dataDir }), ...(options.snapshot && { loadDataDir: options.snapshot }) });
  return { db: drizzle(client, { schema }), driver: 'pglite', poolSize: 1, close: () => client.close() };
}

/** Applies the committed migrations in `drizzle/` (or another folder); ones already applied are skipped. */
export async function migrateDatabase(handle: DatabaseHandle, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (handle.driver === 'postgres') {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(handle.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(handle.db as never, { migrationsFolder });
  }
}

// One connection per server process, kept on globalThis so development's module reloads reuse it
// (a second PGlite on the same directory would corrupt it).
const cache = globalThis as unknown as { __database?: Promise<DatabaseHandle>; __databasePoolSize?: number };

/**
 * Opens the database the environment names: `DATABASE_URL`, else the embedded PGlite in `PGLITE_DIR`.
 * One process owns that folder: while `npm run dev` serves it, this connects to the dev server's
 * database (live data, nothing written twice); while another process has it open without serving it,
 * this throws `PgliteLockedError` at once; otherwise this process takes the folder until `close()`.
 */
export async function openConfiguredDatabase(options: { statementDeadlineMs?: number } = {}): Promise<DatabaseHandle> {
  if (env.DATABASE_URL) return openPostgres(env.DATABASE_URL, { max: env.DATABASE_POOL_MAX, ...options });
  return openOwnedPglite(env.PGLITE_DIR, options);
}

/** Opens PGlite in `dataDir` under its lock, or its owner's database server when it runs one. */
export async function openOwnedPglite(dataDir: string, options: { statementDeadlineMs?: number } = {}): Promise<DatabaseHandle> {
  const owner = readPgliteLock(dataDir);
  // One connection: the embedded database runs one statement at a time, and pglite-socket interleaves
  // the extended-protocol messages of concurrent connections (one's Bind meeting another's Parse).
  if (owner?.url && owner.pid !== process.pid) return openPostgres(owner.url, { max: 1, ...options });
  const lock = acquirePgliteLock(dataDir);
  try {
    const handle = await openPglite(dataDir);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** The app's database, opened on first use. Migrations are applied beforehand by `npm run db:migrate`. */
export async function getDb(): Promise<Database> {
  cache.__database ??= openConfiguredDatabase();
  const handle = await cache.__database;
  // Said once the handle is open (also one opened by code from before a development reload).
  cache.__databasePoolSize ??= handle.poolSize;
  return handle.db;
}

/**
 * How many statements the app's database runs at once (its pool's size); 1 until it is open. Read
 * without waiting, by code that paces its own statements (the deduction queue).
 */
export function databasePoolSize(): number {
  return cache.__databasePoolSize ?? 1;
}

/** Points the app at another database (tests open a fresh one per file; scripts reuse theirs). */
export function setDatabase(handle: DatabaseHandle): void {
  cache.__database = Promise.resolve(handle);
  cache.__databasePoolSize = handle.poolSize;
}

const dialect = new PgDialect();

/** A statement written out by hand: its text with `$1 … $n`, and their values. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Runs raw SQL and returns its rows on either driver (postgres.js answers with an array, PGlite with
 * `{ rows }`), for the few statements the query builder cannot express. `prepared: true` keeps the
 * parsed plan on each connection, for hot statements: planning costs more than running them.
 */
export async function queryRows<Row extends Record<string, unknown>>(
  executor: Executor,
  query: SQL | Statement,
  options: { prepared?: boolean } = {},
): Promise<Row[]> {
  // `db.execute()` never prepares; the session's prepareQuery does when given a name (postgres.js
  // keys its statement cache by the SQL text, so the name itself is not used).
  const built = query instanceof SQL ? dialect.sqlToQuery(query) : query;
  const statement = executor._.session.prepareQuery(built, undefined, options.prepared ? 'raw' : undefined, false);
  const result: unknown = await statement.execute();
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}

const builtQueries = new WeakMap<Database, Map<string, unknown>>();

/**
 * A query drizzle builds once per database (its SQL text, parameters and result mapping) and runs
 * with placeholders after: for the few statements every webhook delivery or job runs, where building
 * the query each time cost more Node CPU than everything else the statement does. `build` receives
 * the database and returns drizzle's `.prepare(name)` of the query; `key` names it in this process.
 * Only the placeholders vary from one run to the next: anything worked out in JavaScript while the
 * query is built (a `$defaultFn`, an `$onUpdate`, a value passed to `.set()`) is fixed at the first
 * run, so such values go in as placeholders or SQL (`now()`). Pass the database, not a transaction.
 */
export function builtOnce<Query>(db: Database, key: string, build: (db: Database) => Query): Query {
  let queries = builtQueries.get(db);
  if (!queries) builtQueries.set(db, (queries = new Map()));
  let query = queries.get(key) as Query | undefined;
  if (query === undefined) queries.set(key, (query = build(db)));
  return query;
}

/**
 * Awaits statements started together on one transaction — postgres.js pipelines them, so they cost
 * one round trip — and returns their results in order. When one fails, the transaction is aborted
 * and the ones after it fail for that reason, so the first failure in order is the one thrown.
 */
export async function pipelined<T extends readonly unknown[] | []>(statements: T): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
  const settled = await Promise.allSettled(statements);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as { -readonly [P in keyof T]: Awaited<T[P]> };
}

/**
 * The SQLSTATE of a database error (`23505` unique violation …) from either driver, also when
 * drizzle has wrapped it in a `DrizzleQueryError`.
 */
export function pgErrorCode(error: unknown): string | undefined {
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
