import { defineConfig } from 'drizzle-kit';

import { env } from './src/config/env';
import { readPgliteLock } from './src/shared/db/pglite-lock';

// Generation needs only the schema; `db:studio` opens the same database the app uses: Postgres, or the
// embedded database through the server `npm run dev` runs for it (never a second opener of its folder).
const devServer = env.DATABASE_URL ? null : readPgliteLock(env.PGLITE_DIR);
const url = env.DATABASE_URL ?? devServer?.url;

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/shared/db/schema.ts',
  out: './drizzle',
  ...(url ? { dbCredentials: { url } } : { driver: 'pglite', dbCredentials: { url: env.PGLITE_DIR } }),
});
