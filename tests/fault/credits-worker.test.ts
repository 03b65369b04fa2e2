import { spawn, type ChildProcess } from 'node:child_process';

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { enqueueJob } from '@/features/common/payments/service/jobs/jobs';
import { migrateDatabase, openPostgres, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { jobs } from '@/shared/db/schema';

import { eventually } from '../helpers/eventually';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/*
 * `npm run credits:worker` is a long-running process: it must outlive a database that restarts under
 * it (stop -m immediate, then start), run what is queued once the database is back, and stop cleanly.
 */

let pg: ThrowawayPostgres;
let handle: DatabaseHandle;
let worker: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  handle = await openPostgres(pg.url, { max: 2 });
  await migrateDatabase(handle);
  setDatabase(handle);
}, 120_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await handle?.close().catch(() => {});
  await pg?.destroy();
});

/** Queues a callback job (it only logs) and waits until a runner has marked it done, or `ms` passed. */
async function queueAndAwait(reference: string, ms: number): Promise<boolean> {
  await enqueueJob(handle.db, { kind: 'top_up_callback', reference, payload: { purchaseId: reference } });
  const job = await eventually(
    async () =>
      (
        await handle.db
          .select({ doneAt: jobs.doneAt })
          .from(jobs)
          .where(eq(jobs.reference, reference))
          .catch(() => [])
      )[0],
    (found) => Boolean(found?.doneAt),
    ms,
    100,
  );
  return Boolean(job?.doneAt);
}

describe('npm run credits:worker through an immediate Postgres restart', () => {
  it('keeps running while the database is gone, runs what is queued once it is back, and stops on SIGTERM', async () => {
    worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/credits-worker.ts'], {
      env: { ...process.env, DATABASE_URL: pg.url, JOB_RUNNER: 'worker' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (chunk) => (output += chunk));
    worker.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));

    expect(await queueAndAwait('before-restart', 20_000)).toBe(true);

    await pg.crash();
    // Its polls fail meanwhile; it says so and keeps going.
    await eventually(
      () => output,
      (text) => text.includes('the database cannot be reached'),
      15_000,
      100,
    );
    expect(output).toMatch(/\[credits:worker\] run failed, trying again in [\d.]+ s: the database cannot be reached/);
    expect(worker.exitCode).toBeNull();
    await pg.start();

    // Back within its longest pause (30 s) at worst; in practice a few seconds.
    expect(await queueAndAwait('after-restart', 40_000)).toBe(true);
    // Said once the run that did it has ended.
    await eventually(
      () => output,
      (text) => text.includes('[credits:worker] running again.'),
      10_000,
      50,
    );
    expect(output).toContain('[credits:worker] running again.');
    expect(worker.exitCode).toBeNull();

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('credits:worker: stopped.');
    const done = await handle.db.select({ reference: jobs.reference, attempts: jobs.attempts }).from(jobs);
    expect(done.sort((a, b) => a.reference.localeCompare(b.reference))).toEqual([
      { reference: 'after-restart', attempts: 1 },
      { reference: 'before-restart', attempts: 1 },
    ]);
  }, 120_000);
});
