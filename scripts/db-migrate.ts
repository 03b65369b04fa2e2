import { env } from '@/config/env';
import { migrateDatabase, openConfiguredDatabase } from '@/shared/db/client';

// Applies the committed migrations to the database the environment names. Safe to run any number of
// times: applied migrations are recorded in drizzle.__drizzle_migrations and skipped.
const handle = await openConfiguredDatabase();
try {
  await migrateDatabase(handle);
  console.log(`Migrations applied (${handle.driver === 'postgres' ? 'Postgres' : `PGlite in ${env.PGLITE_DIR}`}).`);
} finally {
  await handle.close();
}
