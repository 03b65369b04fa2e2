import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { e2eEnv } from '../../playwright.config';

// A port of this run's own (E2E_PORT + 3), beside the app's and the inbox's.
const spawnPort = Number(process.env.E2E_PORT ?? 3100) + 3;

/** Starts the production build with `env` and resolves with how it ended and what it printed. */
function startServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['next', 'start', '--port', String(spawnPort)], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('a production server with missing variables stops at start and names them', async () => {
  const { code, output } = await startServer({ ...e2eEnv, AUTH_SECRET: '', PGLITE_DIR: '', EMAIL_OUTBOX: '', RESEND_API_KEY: '' });
  expect(code).toBe(1);
  expect(output).toContain('AUTH_SECRET is required in production');
  expect(output).toContain('DATABASE_URL is required in production');
  expect(output).toContain('RESEND_API_KEY is required in production');
});

test('a malformed variable stops the server with a message saying what to set', async () => {
  const { code, output } = await startServer({ ...e2eEnv, DATABASE_URL: 'mysql://localhost/app' });
  expect(code).toBe(1);
  expect(output).toContain('DATABASE_URL must be a postgres:// or postgresql:// connection URL');
});

test('with EMAIL_OUTBOX=true in production, the outbox of everyone’s sign-in links is not shown to strangers', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-outbox-'));
  const child = spawn('npx', ['next', 'start', '--port', String(spawnPort)], {
    env: { ...process.env, ...e2eEnv, PGLITE_DIR: dataDir, RESEND_API_KEY: '', RESEND_API_BASE: '', EMAIL_OUTBOX: 'true' } as NodeJS.ProcessEnv,
    detached: true,
  });
  try {
    const base = `http://localhost:${spawnPort}`;
    await expect.poll(() => fetch(`${base}/`).then((r) => r.status, () => 0), { timeout: 30_000 }).toBe(200);

    expect((await fetch(`${base}/dev/outbox`)).status).toBe(404);
    const checkEmail = await (await fetch(`${base}/sign-in/check-email`)).text();
    expect(checkEmail).toContain('Check your email');
    expect(checkEmail).not.toContain('/dev/outbox');
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
});
