import { defineConfig, mergeConfig } from "vitest/config";

import base from "./vitest.config.mts";

/**
 * Fault tests (`npm run test:fault`): throwaway Postgres clusters stopped with `pg_ctl stop -m
 * immediate` under load, and production servers started on them. They do not read TEST_DATABASE_URL,
 * so they run once, in their own CI step, not in each of `npm test`'s two runs.
 */
export default mergeConfig(base, {
  test: {
    include: ["tests/fault/**/*.test.ts"],
    globalSetup: [],
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
