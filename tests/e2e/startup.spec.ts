import { spawn } from 'node:child_process';

import { expect, test } from '@playwright/test';

import { e2eEnv } from '../../playwright.config';

/** Starts the production build with `env` and resolves with how it ended and what it printed. */
function startServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['next', 'start', '--port', '3199'], { env: { ...process.env, ...env } });
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
  const { code, output } = await startServer({ ...e2eEnv, AUTH_SECRET: '', PGLITE_DIR: '', EMAIL_OUTBOX: '' });
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
