import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

/*
 * A new developer's first run: `npm run dev` with no .env at all, on a port other than 3000 (as when
 * 3000 is taken). APP_URL is unset, so the app must follow the port it listens on — for its sign-in
 * links and its checkout return URLs — without trusting any request header.
 */

const devPort = Number(process.env.E2E_PORT ?? 3100) + 2;
// Each page, route and action compiles on its first use, on a shared machine: minutes, not seconds.
const slowExpect = expect.configure({ timeout: 90_000 });

/** Everything a fresh clone has no value for: the development defaults apply. */
const freshCloneEnv = (dataDir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: 'development' as const,
  APP_URL: '',
  PORT: '',
  PGLITE_DIR: dataDir,
  DATABASE_URL: '',
  AUTH_SECRET: '',
  RESEND_API_KEY: '',
  RESEND_API_BASE: '',
  EMAIL_OUTBOX: '',
  STRIPE_SECRET_KEY: '',
  STRIPE_WEBHOOK_SECRET: '',
  PAYMENTS_SIMULATOR: '',
  ADMIN_EMAILS: '',
  NEXT_TELEMETRY_DISABLED: '1',
});

test('npm run dev on another port, APP_URL unset: a new user signs in and buys a pack', async ({ browser }) => {
  // The dev server compiles each page on its first visit.
  test.setTimeout(360_000);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-dev-'));
  const env = freshCloneEnv(dataDir);
  let server: ChildProcess | undefined;
  let testLog = () => '';
  try {
    // As the README says: `npm run dev` migrates, owns the embedded database and serves it to Next.
    server = spawn('npm', ['run', 'dev', '--', '--port', String(devPort)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stdout?.on('data', (chunk) => (log += chunk));
    server.stderr?.on('data', (chunk) => (log += chunk));
    testLog = () => log;
    const baseURL = `http://localhost:${devPort}`;
    await expect.poll(() => fetch(`${baseURL}/`).then((r) => r.status, () => 0), { timeout: 180_000, intervals: [1000] }).toBe(200);

    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    page.setDefaultTimeout(90_000);

    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('newcomer@example.com');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await slowExpect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    await page.getByRole('link', { name: 'dev outbox' }).click();
    const link = page.getByRole('article').filter({ hasText: 'To newcomer@example.com' }).first().getByRole('link', { name: /api\/auth\/callback\/email/ });
    // The link follows the port the dev server listens on.
    expect(new URL((await link.getAttribute('href'))!).origin).toBe(baseURL);
    await link.click();
    await page.waitForURL(`${baseURL}/dashboard`);
    await slowExpect(page.getByTestId('dashboard-credits')).toHaveText('100');

    await page.getByRole('button', { name: 'Top up credits' }).click();
    await page.getByRole('dialog', { name: 'Top up credits' }).getByRole('button', { name: 'Buy Starter Pack' }).click();
    await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
    await page.getByRole('button', { name: 'Pay $10.00' }).click();
    await page.waitForURL(`${baseURL}/dashboard?billing=success`);
    await slowExpect(page.getByTestId('header-credits')).toHaveText('1,100');
    await context.close();
  } catch (error) {
    console.log(`--- next dev output ---\n${testLog()}`);
    throw error;
  } finally {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
});
