import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import postgresEsm from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/*
 * Issue 16, item 1: postgres.js 3.4.9 crashes a plain Node process when Postgres goes away under
 * load (`TypeError: Cannot read properties of null (reading 'write')` from `nextWrite`, thrown in a
 * setImmediate callback, outside any promise). patches/postgres+3.4.9.patch, applied by
 * patch-package on every install, rejects the pending query with CONNECTION_CLOSED instead. This test
 * runs the same load against a throwaway cluster restarted with `pg_ctl stop -m immediate` twice: once
 * with a copy of the driver with the patch taken out (it must crash: the test proves it reproduces the
 * defect), once with the installed, patched driver (it must live and see only catchable errors).
 */

const root = process.cwd();
const fixture = path.join(root, 'tests/fault/fixtures/driver-load.mjs');
let pg: ThrowawayPostgres;
let unpatchedDir: string;

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  // The driver as npm ships it: the installed copy with our patch reversed.
  unpatchedDir = await mkdtemp(path.join(os.tmpdir(), 'postgres-unpatched-'));
  await cp(path.join(root, 'node_modules/postgres'), path.join(unpatchedDir, 'node_modules/postgres'), { recursive: true });
  const patch = await readFile(path.join(root, 'patches/postgres+3.4.9.patch'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn('patch', ['-s', '-R', '-p1'], { cwd: unpatchedDir, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`patch -R exited ${code}`))));
    child.stdin.end(patch);
  });
}, 60_000);

afterAll(async () => {
  await pg?.destroy();
  if (unpatchedDir) await rm(unpatchedDir, { recursive: true, force: true });
});

/** Runs the load in a child process through `restarts` immediate stops and starts of the cluster. */
async function loadThroughRestarts(driverDir: string, restarts: number) {
  const child = spawn(process.execPath, [fixture, driverDir, pg.url, String(restarts * 1500 + 2500)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  for (let i = 0; i < restarts && running; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await pg.crash();
    await pg.start();
  }
  return { code: await exited, output };
}

describe('postgres.js under an immediate Postgres restart', () => {
  it('crashes a plain Node process without the patch (the defect reproduces here)', async () => {
    let result = { code: 0 as number | null, output: '' };
    for (let attempt = 0; attempt < 3 && result.code === 0; attempt++) result = await loadThroughRestarts(path.join(unpatchedDir, 'node_modules/postgres'), 3);
    console.log(`[fault] unpatched driver: exit ${result.code}`);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("Cannot read properties of null (reading 'write')");
  }, 90_000);

  it('with the patch, the process lives and every failure is a catchable connection error', async () => {
    const { code, output } = await loadThroughRestarts(path.join(root, 'node_modules/postgres'), 3);
    console.log(`[fault] patched driver: exit ${code} ${output.trim()}`);
    expect(output).not.toContain('TypeError');
    expect(code).toBe(0);
    const summary = JSON.parse(output.trim().split('\n').at(-1)!) as { ok: number; failed: number; codes: Record<string, number> };
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.failed).toBeGreaterThan(0);
    for (const code of Object.keys(summary.codes))
      expect(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'ECONNREFUSED', 'ECONNRESET', 'CONNECT_TIMEOUT', '57P01', '57P03']).toContain(code);
  }, 60_000);

  it('with the patch, a lone caller keeps the connection it used last instead of going round every open one', async () => {
    const drivers = [postgresEsm, createRequire(import.meta.url)('postgres') as typeof postgresEsm];
    for (const postgres of drivers) {
      const sql = postgres(pg.url, { max: 8, onnotice: () => {} });
      try {
        // A burst opens all eight connections…
        const pids = await Promise.all(Array.from({ length: 8 }, () => sql`select pg_backend_pid() as pid, pg_sleep(0.1)`));
        expect(new Set(pids.map((rows) => rows[0]!.pid)).size).toBe(8);
        // …then one caller at a time gets the same backend every time (in turn, it would get all eight).
        const after: number[] = [];
        for (let i = 0; i < 16; i++) after.push((await sql`select pg_backend_pid() as pid`)[0]!.pid as number);
        expect(new Set(after).size).toBe(1);
      } finally {
        await sql.end();
      }
    }
  });

  it('is the version the patch was written for', async () => {
    const { version } = JSON.parse(await readFile(path.join(root, 'node_modules/postgres/package.json'), 'utf8')) as { version: string };
    // Upgrading postgres.js? Check whether the release fixes nextWrite (porsager/postgres#1208), then
    // drop patches/postgres+3.4.9.patch, or regenerate it for the new version.
    expect(version).toBe('3.4.9');
    expect(await readFile(path.join(root, 'node_modules/postgres/src/connection.js'), 'utf8')).toContain(
      "error(Errors.connection('CONNECTION_CLOSED', options))\n      return false",
    );
    expect(await readFile(path.join(root, 'node_modules/postgres/cjs/src/connection.js'), 'utf8')).toContain(
      "error(Errors.connection('CONNECTION_CLOSED', options))\n      return false",
    );
  });
});
