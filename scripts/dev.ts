/**
 * `npm run dev`: applies the migrations, then runs `next dev` (arguments after `--` go to it).
 *
 * With DATABASE_URL unset the database is the embedded PGlite in PGLITE_DIR, which only one process
 * may open. This process owns it: it takes the folder's lock, opens it once, and serves it over the
 * Postgres protocol on 127.0.0.1 (PGLITE_PORT, default any free port). `next dev`, `npm run
 * credits:verify`, `payments:retry`, `db:migrate`, `db:studio` and `psql` all connect to that server
 * while this runs, so they see live data and nothing is written twice. Ctrl-C stops Next, then closes
 * the database cleanly; after a kill -9 the next start recovers it and takes over the stale lock.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

import { env } from '@/config/env';
import { migrateDatabase, openPglite } from '@/shared/db/client';
import { acquirePgliteLock, PgliteLockedError } from '@/shared/db/pglite-lock';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const nextArgs = ['dev', ...process.argv.slice(2)];

function runNext(extraEnv: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [nextBin, ...nextArgs], { env: { ...process.env, ...extraEnv }, stdio: 'inherit' });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

if (env.DATABASE_URL) {
  const migrate = spawn(process.execPath, [createRequire(import.meta.url).resolve('tsx/cli'), 'scripts/db-migrate.ts'], { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => migrate.on('exit', (c) => resolve(c ?? 1)));
  process.exit(code === 0 ? await runNext({}) : code);
}

let lock: ReturnType<typeof acquirePgliteLock>;
try {
  lock = acquirePgliteLock(env.PGLITE_DIR);
} catch (error) {
  if (!(error instanceof PgliteLockedError)) throw error;
  console.error(`dev: ${error.message}`);
  process.exit(1);
}

const handle = await openPglite(env.PGLITE_DIR);
await migrateDatabase(handle);
const pglite = (handle.db as unknown as { $client: PGlite }).$client;
const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: env.PGLITE_PORT ?? 0, maxConnections: 64 });
await server.start();
const url = `postgres://postgres@${server.getServerConn()}/postgres`;
lock.update(url);
console.log(`Embedded database ${env.PGLITE_DIR} (migrated) served at ${url}: scripts, db:studio and psql use it while this runs.`);

// One connection from the app: pglite-socket interleaves the protocol messages of concurrent
// connections on its single database (a Bind meeting another connection's Parse), and PGlite runs one
// statement at a time anyway.
const code = await runNext({ DATABASE_URL: url, DATABASE_POOL_MAX: '1' });
await server.stop();
await handle.close();
lock.release();
process.exit(code);
