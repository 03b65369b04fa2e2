import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import { defineConfig, devices } from '@playwright/test';

/*
 * End-to-end tests drive a production build (`next build && next start`) in Chromium. The database
 * and payments run on their embedded defaults, switched on explicitly as production requires: PGlite
 * in a fresh folder and the checkout simulator. Email goes out through the real Resend SDK to a local
 * Resend-compatible server (tests/e2e/resend-server.ts), where the tests read it like an inbox: in
 * production the dev outbox is for admins only, so it cannot be how a new user signs in.
 */

const port = Number(process.env.E2E_PORT ?? 3100);
/** The local Resend-compatible server; the tests read sent emails from `${inboxURL}/test/emails`. */
export const inboxURL = `http://127.0.0.1:${port + 1}`;
// `localhost`, not 127.0.0.1: `next start` names itself localhost in the URLs Auth.js builds.
const baseURL = `http://localhost:${port}`;
const dataDir = path.join(import.meta.dirname, '.data', `e2e-${port}`);

// Playwright's own browser download does not work everywhere; use a system Chromium when there is one.
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

// Each run starts on an empty database. Workers load this file too: only the runner may clear it.
const isRunner = process.env.TEST_WORKER_INDEX === undefined;
if (isRunner && !process.env.E2E_REUSE_SERVER) rmSync(dataDir, { recursive: true, force: true });

export const e2eEnv = {
  NODE_ENV: 'production',
  APP_URL: baseURL,
  AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e',
  PGLITE_DIR: dataDir,
  DATABASE_URL: '',
  EMAIL_OUTBOX: '',
  RESEND_API_KEY: 're_e2e_local',
  RESEND_API_BASE: inboxURL,
  EMAIL_FROM: 'Acme Credits <credits@example.com>',
  PAYMENTS_SIMULATOR: 'true',
  STRIPE_SECRET_KEY: '',
  STRIPE_WEBHOOK_SECRET: 'whsec_e2e_simulator',
  // One address per spec that signs in as an admin: each address may ask for 5 sign-in links in 15 minutes.
  ADMIN_EMAILS: 'admin@example.com,insights-admin@example.com,expiry-admin@example.com,a11y-admin@example.com,phone-admin@example.com,new-admin@example.com',
  NEXT_TELEMETRY_DISABLED: '1',
};

export default defineConfig({
  testDir: './tests/e2e',
  // The docs' screenshots are retaken only on request: `npm run screenshots`.
  testIgnore: /[\\/]screenshots[\\/]/,
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: chromiumPath,
          args: chromiumPath
            ? ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']
            : [],
        },
      },
    },
  ],
  webServer: [
    {
      command: `npx tsx tests/e2e/resend-server.ts ${port + 1}`,
      url: `${inboxURL}/test/health`,
      reuseExistingServer: Boolean(process.env.E2E_REUSE_SERVER),
      timeout: 30_000,
    },
    {
      command: `npm run build && npm run db:migrate && npx next start --port ${port}`,
      url: `${baseURL}/`,
      env: e2eEnv,
      reuseExistingServer: Boolean(process.env.E2E_REUSE_SERVER),
      // The build can take minutes on a busy machine: E2E_SERVER_TIMEOUT_MS changes the wait.
      timeout: Number(process.env.E2E_SERVER_TIMEOUT_MS ?? 600_000),
      stdout: 'pipe',
    },
  ],
});
