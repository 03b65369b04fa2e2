import { defineConfig } from 'drizzle-kit';

import { env } from './src/config/env';

// Generation needs only the schema; `db:studio` opens the same database the app uses.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/shared/db/schema.ts',
  out: './drizzle',
  ...(env.DATABASE_URL
    ? { dbCredentials: { url: env.DATABASE_URL } }
    : { driver: 'pglite', dbCredentials: { url: env.PGLITE_DIR } }),
});
