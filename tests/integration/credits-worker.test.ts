import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { env } from '@/config/env';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { onCreditsTopUp } from '@/features/common/payments/service/payment-callback.service';
import { runJobWorker } from '@/features/common/payments/service/jobs/worker';
import { getDb } from '@/shared/db/client';
import { creditPurchases, jobs } from '@/shared/db/schema';
import { listOutboxEmails } from '@/shared/email/outbox';
import { eventually } from '../helpers/eventually';
import { deliver, pendingPurchase } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase } from '../helpers/test-database';

// The integrator's hook is counted, and still runs.
vi.mock('@/features/common/payments/service/payment-callback.service', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/features/common/payments/service/payment-callback.service')>();
  return { ...original, onCreditsTopUp: vi.fn(original.onCreditsTopUp) };
});
vi.spyOn(console, 'info').mockImplementation(() => {});

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
const runner = env.JOB_RUNNER;
beforeAll(async () => {
  stripe = await startStripeServer();
  (env as { JOB_RUNNER: string }).JOB_RUNNER = 'worker';
});
afterAll(async () => {
  (env as { JOB_RUNNER: string }).JOB_RUNNER = runner;
  await stripe.close();
});

/** A worker polling every 20 ms, and what it logged. */
function startWorker(options: { maintenanceMs?: number } = {}) {
  const stop = new AbortController();
  const lines: string[] = [];
  const running = runJobWorker({ signal: stop.signal, pollMs: 20, log: (line) => lines.push(line), ...options });
  return { lines, stop: async () => (stop.abort(), running) };
}
let worker: ReturnType<typeof startWorker> | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

describe('JOB_RUNNER=worker and npm run credits:worker', () => {
  it('the webhook answers with the credit committed and leaves the receipt and callback to the worker, which runs each once', async () => {
    const p = await pendingPurchase();
    const response = await deliver(p.completed());
    expect(await response.json()).toMatchObject({ outcome: 'fulfilled' });
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    // Nothing ran in the webhook's process: the two jobs wait for the worker.
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(0);
    expect(vi.mocked(onCreditsTopUp)).not.toHaveBeenCalledWith(expect.objectContaining({ userId: p.user.id }));

    worker = startWorker();
    const receipts = await eventually(
      () => listOutboxEmails({ to: p.user.email! }),
      (emails) => emails.length > 0,
    );
    expect(receipts.map((email) => email.subject)).toEqual(['Receipt: 1,000 credits added']);

    // A purchase while the worker runs gets its receipt within a few polls; nothing runs twice.
    const q = await pendingPurchase();
    await deliver(q.completed());
    expect(
      await eventually(
        () => listOutboxEmails({ to: q.user.email! }),
        (emails) => emails.length > 0,
      ),
    ).toHaveLength(1);
    await worker.stop();
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(1);
    for (const user of [p.user, q.user]) {
      expect(vi.mocked(onCreditsTopUp).mock.calls.filter(([payload]) => payload.userId === user.id)).toHaveLength(1);
    }
  });

  it('keeps running through runs that fail, says so, and catches up when the database answers again', async () => {
    const db = await getDb();
    worker = startWorker();
    await db.execute(sql`alter table jobs rename to jobs_away`);
    try {
      await eventually(
        async () => worker!.lines.filter((line) => line.includes('run failed')).length,
        (failures) => failures >= 2,
      );
    } finally {
      await db.execute(sql`alter table jobs_away rename to jobs`);
    }
    expect(worker.lines.find((line) => line.includes('run failed'))).toMatch(/trying again in [\d.]+ s: relation "jobs" does not exist/);
    const p = await pendingPurchase();
    await deliver(p.completed());
    expect(
      await eventually(
        () => listOutboxEmails({ to: p.user.email! }),
        (emails) => emails.length > 0,
      ),
    ).toHaveLength(1);
    // Said once the run that sent it has ended (its other runners too).
    expect(
      await eventually(
        async () => worker!.lines,
        (lines) => lines.includes('[credits:worker] running again.'),
      ),
    ).toContain('[credits:worker] running again.');
  });

  it('retries a job that failed at its next maintenance run, not at every poll', async () => {
    const db = await getDb();
    const p = await pendingPurchase();
    await deliver(p.completed());
    const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, p.session.id));
    const receipt = async () =>
      (
        await db
          .select()
          .from(jobs)
          .where(and(eq(jobs.purchaseId, purchase!.id), eq(jobs.kind, 'top_up_receipt')))
      )[0]!;
    // The email service is down (its table is away): the receipt fails once, then waits.
    await db.execute(sql`alter table email_outbox rename to email_outbox_away`);
    try {
      // Its first maintenance run tries it (and, as payments:retry does, once more in its next pass).
      worker = startWorker({ maintenanceMs: 60_000 });
      await eventually(
        async () => worker!.lines.join('\n'),
        (log) => log.includes('Credits jobs:'),
      );
      const tried = (await receipt()).attempts;
      expect(tried).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 300)); // about 15 polls, none of which retries it
      expect(await receipt()).toMatchObject({ attempts: tried, doneAt: null, lastError: expect.stringContaining('email_outbox') });
      await worker.stop();
    } finally {
      await db.execute(sql`alter table email_outbox_away rename to email_outbox`);
    }
    // The next maintenance run retries it, once.
    worker = startWorker({ maintenanceMs: 60_000 });
    const done = await eventually(receipt, (job) => job.doneAt !== null);
    expect(done).toMatchObject({ lastError: null });
    expect(done.doneAt).not.toBeNull();
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(1);
  });

  it('stops promptly when asked, between runs', async () => {
    worker = startWorker();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const asked = performance.now();
    await worker.stop();
    expect(performance.now() - asked).toBeLessThan(1_000);
  });
});
