import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { migrateDatabase, queryRows } from '@/shared/db/client';
import { testDriver, setupTestDatabase } from '../helpers/test-database';

describe(`migrations on ${testDriver}`, () => {
  const database = setupTestDatabase();

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
