import { defineConfig } from '@playwright/test';

import config from './playwright.config';

/*
 * `npm run screenshots`: retakes the screenshots in docs/screenshots (desktop and phone) against the
 * same production build as the end-to-end tests. `npm run test:e2e` never writes them, so a test run
 * leaves the tree clean.
 */
export default defineConfig({
  ...config,
  testDir: './tests/e2e/screenshots',
  testIgnore: [],
  reporter: [['list']],
});
