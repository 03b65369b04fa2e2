import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateDatabase, openPglite, queryRows, type DatabaseHandle } from '@/shared/db/client';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

/** An empty in-memory PGlite, migrated here: not the run's pre-migrated snapshot. */
function emptyPglite(): { readonly handle: DatabaseHandle } {
  const state = {} as { handle: DatabaseHandle };
  beforeAll(async () => {
    state.handle = await openPglite();
    await migrateDatabase(state.handle);
  });
  afterAll(() => state.handle.close());
  return state;
}

describe(`migrations on ${testDriver}`, () => {
  // On Postgres the test database starts empty, so both paths migrate from nothing.
  const database = testDriver === 'pglite' ? emptyPglite() : setupTestDatabase();

  it('create every table the schema declares', async () => {
    const rows = await queryRows<{ table_name: string }>(
      database.handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'email_outbox', 'sessions', 'users', 'verification_tokens']));
  });

  it('are recorded once and not applied again on a second run', async () => {
    const count = async () =>
      Number((await queryRows<{ n: string }>(database.handle.db, sql`select count(*) as n from drizzle.__drizzle_migrations`))[0]!.n);
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await migrateDatabase(database.handle);
    expect(await count()).toBe(before);
  });
});
