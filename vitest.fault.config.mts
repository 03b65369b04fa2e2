import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

/**
 * Fault tests (`npm run test:fault`): throwaway Postgres clusters stopped with `pg_ctl stop -m
 * immediate` under load, and production servers started on them. They do not read TEST_DATABASE_URL,
 * so they run once, in their own CI step, not in each of `npm test`'s two runs.
 */
export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    alias: { 'server-only': fileURLToPath(new URL('./tests/helpers/empty-module.ts', import.meta.url)) },
  },
  test: {
    include: ['tests/fault/**/*.test.ts'],
    environment: 'node',
    server: { deps: { inline: ['next-auth'] } },
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
