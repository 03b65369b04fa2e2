import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { SQL, type ExtractTablesWithRelations } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';

import { env } from '@/config/env';
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
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

/** Opens a Postgres database through postgres.js. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<DatabaseHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  return { db: drizzle(client, { schema }), driver: 'postgres', close: () => client.end() };
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
  return { db: drizzle(client, { schema }), driver: 'pglite', close: () => client.close() };
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
const cache = globalThis as unknown as { __database?: Promise<DatabaseHandle> };

/** Opens the database the environment names: `DATABASE_URL`, else PGlite in `PGLITE_DIR`. */
export function openConfiguredDatabase(): Promise<DatabaseHandle> {
  return env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(env.PGLITE_DIR);
}

/** The app's database, opened on first use. Migrations are applied beforehand by `npm run db:migrate`. */
export async function getDb(): Promise<Database> {
  cache.__database ??= openConfiguredDatabase();
  return (await cache.__database).db;
}

/** Points the app at another database (tests open a fresh one per file; scripts reuse theirs). */
export function setDatabase(handle: DatabaseHandle): void {
  cache.__database = Promise.resolve(handle);
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
