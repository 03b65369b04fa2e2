import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { personalWalletId } from '@/features/common/payments/service/ledger/ledger';
import { grantSignUpBonus } from '@/features/common/payments/service/sign-up-bonus';
import { openOwnedPglite, openPostgres, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { lockFileOf } from '@/shared/db/pglite-lock';
import { creditBalances, creditTransactions, sessions, users } from '@/shared/db/schema';

import { freePort } from '../helpers/throwaway-postgres';

/*
 * Issue 18 (data loss on the default database) and issue 16 item 6: `npm run dev` owns the embedded
 * PGlite folder and serves it over the Postgres protocol; scripts beside it work on live data (or are
 * refused while another process holds the folder), nothing paid for is lost, Ctrl-C closes it cleanly,
 * and after a kill -9 in the middle of writes the next `npm run dev` starts with every committed write.
 */

const root = process.cwd();
const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'dev-db-'));
const dataDir = path.join(dataRoot, 'pglite');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development' as const,
  DATABASE_URL: '',
  PGLITE_DIR: dataDir,
  APP_URL: '',
  PORT: '',
  STRIPE_SECRET_KEY: '',
  STRIPE_WEBHOOK_SECRET: '',
  RESEND_API_KEY: '',
  EMAIL_OUTBOX: '',
  PAYMENTS_SIMULATOR: '',
  NEXT_TELEMETRY_DISABLED: '1',
};
let dev: ChildProcess | undefined;
let devLog = '';

afterAll(async () => {
  try {
    if (dev?.pid) process.kill(-dev.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await rm(dataRoot, { recursive: true, force: true });
});

async function startDev(port: number): Promise<{ baseURL: string; databaseUrl: string }> {
  devLog = '';
  dev = spawn('npm', ['run', 'dev', '--', '--port', String(port)], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (chunk) => (devLog += chunk));
  dev.stderr!.on('data', (chunk) => (devLog += chunk));
  const baseURL = `http://localhost:${port}`;
  const until = Date.now() + 180_000;
  for (;;) {
    const status = await fetch(`${baseURL}/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > until || dev.exitCode !== null) throw new Error(`npm run dev did not start:\n${devLog}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const lock = JSON.parse(await readFile(lockFileOf(dataDir), 'utf8')) as { url: string };
  return { baseURL, databaseUrl: lock.url };
}

async function stopDev(signal: 'SIGINT' | 'SIGKILL'): Promise<void> {
  const exited = new Promise((resolve) => dev!.once('exit', resolve));
  process.kill(-dev!.pid!, signal); // the whole group, as Ctrl-C in a terminal (or closing it)
  await exited;
  // npm itself exits first; give Next and the database a moment to close behind it.
  await new Promise((resolve) => setTimeout(resolve, signal === 'SIGINT' ? 3000 : 500));
}

function runScript(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output: output.trim() }));
  });
}

async function entriesOf(handle: DatabaseHandle, userId: string) {
  return handle.db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.walletId, personalWalletId(userId)));
}

describe('npm run dev owns the embedded database', () => {
  let userId = '';
  let expected = 0;

  it('spend 3, run credits:verify and payments:retry beside the dev server, spend 3, Ctrl-C: 7 entries and a folder that opens', async () => {
    const { baseURL, databaseUrl } = await startDev(await freePort());
    // Sign a user in as Auth.js would (a user, its sign-up bonus, a database session), through the
    // dev server's database: the test is one more client of it.
    const client = await openPostgres(databaseUrl, { max: 2 });
    setDatabase(client);
    const [user] = await client.db
      .insert(users)
      .values({ email: `dev-${randomBytes(4).toString('hex')}@example.com` })
      .returning();
    userId = user!.id;
    await grantSignUpBonus(userId);
    const token = randomBytes(24).toString('hex');
    await client.db.insert(sessions).values({ sessionToken: token, userId, expires: new Date(Date.now() + 86_400_000) });

    let charged = 0;
    const spend = async () => {
      const response = await fetch(`${baseURL}/api/examples/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `authjs.session-token=${token}` },
        body: JSON.stringify({ prompt: 'a haiku about ledgers' }),
      });
      if (response.ok) charged += ((await response.json()) as { credits: { creditsCharged: number } }).credits.creditsCharged;
      return response.status;
    };
    try {
      for (let i = 0; i < 3; i++) expect(await spend()).toBe(200);
      // The count was 1 + 6 = 7 entries, one per operation; a paid request here writes its
      // hold and its settlement, so count what three of them wrote and expect twice that after six.
      const afterThree = (await entriesOf(client, userId)).length;
      expect(afterThree).toBeGreaterThan(1);

      const verify = await runScript('credits:verify');
      expect(verify.output).toBe('Ledger verified: every balance equals the sum of its entries, its lots and its open holds.');
      expect(verify.code).toBe(0);
      const retry = await runScript('payments:retry');
      expect(retry.code).toBe(0);

      for (let i = 0; i < 3; i++) expect(await spend()).toBe(200);
      expected = 1 + 2 * (afterThree - 1);
      expect(charged).toBeGreaterThan(0);
    } finally {
      await client.close();
      await stopDev('SIGINT');
    }

    // The folder opens, directly, with every entry: the sign-up bonus and six paid operations.
    const direct = await openOwnedPglite(dataDir);
    try {
      expect(await entriesOf(direct, userId)).toHaveLength(expected);
      const [balance] = await direct.db
        .select()
        .from(creditBalances)
        .where(eq(creditBalances.walletId, personalWalletId(userId)));
      expect(balance!.bonus + balance!.purchased).toBe(appConfig.billing.credits.initialBonusCredits - charged);
      // While a process has the folder open without serving it, a script is refused in one line.
      const refused = await runScript('credits:verify');
      expect(refused.code).toBe(1);
      expect(refused.output.split('\n')).toHaveLength(1);
      expect(refused.output).toMatch(
        /^credits:verify: The embedded database in .* is open in another process \(pid \d+\): stop it, or start it with `npm run dev`/,
      );
    } finally {
      await direct.close();
    }
  }, 400_000);

  it('after kill -9 of npm run dev in the middle of writes, the next npm run dev has every committed write', async () => {
    const { databaseUrl } = await startDev(await freePort());
    const client = await openPostgres(databaseUrl, { max: 4 });
    setDatabase(client);
    const committed: string[] = [];
    let stop = false;
    const writer = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const key = `kill-${n}-${i}`;
        try {
          await deductCreditsBonusFirst({ userId, credits: 1, reason: 'kill -9 test', idempotencyKey: key });
          committed.push(key);
        } catch {
          return; // the server went away
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map((n) => writer(n)));
    while (committed.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await stopDev('SIGKILL');
    stop = true;
    await writers;
    await client.close().catch(() => {});
    console.log(`[fault] kill -9 after ${committed.length} acknowledged writes`);

    // The next start takes over the stale lock and recovers the folder.
    const { databaseUrl: again } = await startDev(await freePort());
    const reopened = await openPostgres(again, { max: 2 });
    try {
      const keys = new Set((await entriesOf(reopened, userId)).map((entry) => entry.idempotencyKey));
      for (const key of committed) expect(keys.has(key), `acknowledged write ${key} is kept`).toBe(true);
      const verify = await runScript('credits:verify');
      expect(verify.code).toBe(0);
    } finally {
      await reopened.close();
      await stopDev('SIGINT');
    }
  }, 400_000);
});
