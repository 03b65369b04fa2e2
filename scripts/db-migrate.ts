import { env } from '@/config/env';
import { migrateDatabase } from '@/shared/db/client';

import { runWithDatabase } from './script-database';

// Applies the committed migrations to the database the environment names (or, while `npm run dev`
// runs, to the embedded database it serves). Safe to run any number of times: applied migrations are
// recorded in drizzle.__drizzle_migrations and skipped.
await runWithDatabase(
  'db:migrate',
  async (handle) => {
    await migrateDatabase(handle);
    console.log(
      `Migrations applied (${env.DATABASE_URL ? 'Postgres' : handle.driver === 'postgres' ? `PGlite in ${env.PGLITE_DIR}, through the dev server` : `PGlite in ${env.PGLITE_DIR}`}).`,
    );
  },
  { statementDeadlineMs: 60 * 60 * 1000 },
);
