import { randomUUID } from 'node:crypto';

import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { enqueueJob, runJobs } from '@/features/common/payments/service/jobs/jobs';
import { describeJobRun, retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';
import { getDb } from '@/shared/db/client';
import { jobs } from '@/shared/db/schema';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

/** A reminder for a lot that does not exist: it finds nothing to send and succeeds. */
const succeeding = () => ({ kind: 'expiry_reminder' as const, reference: randomUUID(), payload: { lotId: randomUUID(), walletId: 'w' } });
/** A reminder whose lot id is not a uuid: its query throws, so the job fails. */
const failing = () => ({ kind: 'expiry_reminder' as const, reference: randomUUID(), payload: { lotId: 'not-a-uuid', walletId: 'w' } });

describe('payments:retry', () => {
  it('says there was nothing to do when no task was due', async () => {
    await enqueueJob(await getDb(), { ...succeeding(), runAt: new Date(Date.now() + 60 * 60 * 1000) });

    const total = await retryDueJobs();

    expect(total).toEqual({ done: 0, failed: 0 });
    expect(describeJobRun(total)).toBe('Payment tasks: nothing to do, no task was due.');
  });

  it('counts the tasks it ran, and says nothing of failures when there were none', async () => {
    const db = await getDb();
    await enqueueJob(db, succeeding());
    await enqueueJob(db, succeeding());

    const total = await retryDueJobs();

    expect(total).toEqual({ done: 2, failed: 0 });
    expect(describeJobRun(total)).toBe('Payment tasks: 2 done.');
    expect(await retryDueJobs()).toEqual({ done: 0, failed: 0 });
  });

  it('keeps a failed task for the next run and says so', async () => {
    await enqueueJob(await getDb(), failing());

    const total = await retryDueJobs();

    expect(total).toEqual({ done: 0, failed: 1 });
    expect(describeJobRun(total)).toBe('Payment tasks: 0 done, 1 failed (kept for the next run).');
    expect(await retryDueJobs()).toEqual({ done: 0, failed: 1 });
  });

  it('runs each due task once when runners race, claiming them ten at a time, past a task that fails', async () => {
    const db = await getDb();
    const references: string[] = [];
    for (let i = 0; i < 45; i++) {
      const job = succeeding();
      references.push(job.reference);
      await enqueueJob(db, job);
    }
    const broken = failing();
    await enqueueJob(db, broken);

    const runs = await Promise.all(Array.from({ length: 6 }, () => runJobs()));

    // Each task ran in exactly one of the racing runs (the file's earlier failing task is due too).
    expect(runs.reduce((sum, run) => sum + run.done, 0)).toBe(45);
    const rows = await db.select().from(jobs).where(inArray(jobs.reference, references));
    expect(rows).toHaveLength(45);
    // A failing task is tried at most once a run, never again within the run that saw it fail.
    const [failed] = await db.select().from(jobs).where(eq(jobs.reference, broken.reference));
    expect(failed!.doneAt).toBeNull();
    expect(failed!.attempts).toBeGreaterThanOrEqual(1);
    expect(failed!.attempts).toBeLessThanOrEqual(runs.length);
    expect(rows.every((row) => row.doneAt !== null && row.attempts === 1)).toBe(true);
  });
});
