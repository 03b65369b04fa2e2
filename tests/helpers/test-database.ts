import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';

import { migrateDatabase, openPglite, openPostgres, setDatabase, type DatabaseHandle } from '@/shared/db/client';

/**
 * Gives the calling test file a clean, migrated database of its own and points the app at it:
 * a fresh database on the Postgres server in `TEST_DATABASE_URL` (dropped afterwards), or an
 * in-memory PGlite when that is unset (loaded from the run's migrated snapshot; see global-setup.ts).
 * Migrations are applied either way, so a file always runs on the schema in `drizzle/`.
 */
export function setupTestDatabase(options: { poolSize?: number } = {}): { readonly handle: DatabaseHandle; readonly url?: string } {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const state = {} as { handle: DatabaseHandle; url?: string };
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (serverUrl) {
      const name = `test_${randomBytes(6).toString('hex')}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      state.url = url.toString();
      state.handle = await openPostgres(url.toString(), { max: options.poolSize ?? 10 });
      dropDatabase = async () => {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      };
    } else {
      state.handle = await openPglite(undefined, { snapshot: new Blob([await readFile(inject('pgliteSnapshot'))]) });
    }
    await migrateDatabase(state.handle);
    setDatabase(state.handle);
  });

  afterAll(async () => {
    await state.handle?.close();
    await dropDatabase?.();
  });

  return state;
}

export const testDriver: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
