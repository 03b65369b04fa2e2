import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { enqueueJob } from '@/features/common/payments/service/jobs/jobs';
import { describeJobRun, retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';
import { getDb } from '@/shared/db/client';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

/** A reminder for a lot that does not exist: it finds nothing to send and succeeds. */
const succeeding = () => ({
  kind: 'expiry_reminder' as const,
  reference: randomUUID(),
  payload: { lotId: randomUUID(), walletId: 'w' },
});
/** A reminder whose lot id is not a uuid: its query throws, so the job fails. */
const failing = () => ({
  kind: 'expiry_reminder' as const,
  reference: randomUUID(),
  payload: { lotId: 'not-a-uuid', walletId: 'w' },
});

describe('payments:retry', () => {
  it('says there was nothing to do when no task was due', async () => {
    await enqueueJob(await getDb(), {
      ...succeeding(),
      runAt: new Date(Date.now() + 60 * 60 * 1000),
    });

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
});
