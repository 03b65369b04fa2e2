import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';

import { env } from '@/config/env';
import { performJob } from '@/features/common/payments/service/jobs/job-handlers';
import { builtOnce, getDb, queryRows, type Database, type Executor } from '@/shared/db/client';
import { jobs, type JobKind } from '@/shared/db/schema';

/** How long a runner holds a job before another may take it over (a crashed runner's job). */
const LEASE_MS = 2 * 60 * 1000;

type NewJob = { kind: JobKind; reference: string; purchaseId?: string | null; walletId?: string | null; payload: object; runAt?: Date };

/**
 * Records work to run after the current transaction commits (at `runAt` at the earliest). Call it
 * inside the transaction that makes the change; a second call for the same kind and reference is a
 * no-op, so the work happens once however often the change is reported.
 */
export async function enqueueJob(tx: Executor, job: NewJob): Promise<void> {
  await enqueueJobs(tx, [job]);
}

/** `enqueueJob` for several jobs, in one statement. */
export async function enqueueJobs(tx: Executor, list: readonly NewJob[]): Promise<void> {
  if (list.length === 0) return;
  await tx
    .insert(jobs)
    .values(list.map((job) => ({ ...job, payload: job.payload as Record<string, unknown> })))
    .onConflictDoNothing({ target: [jobs.kind, jobs.reference] });
}

// A job's end, written out once (two of these follow every purchase, so they skip the query builder).
const JOB_DONE = 'update jobs set done_at = now(), locked_until = null, last_error = null where id = $1::uuid';
const JOB_FAILED = 'update jobs set locked_until = null, last_error = $2 where id = $1::uuid';

/** Jobs a runner claims at a time: few enough to finish well inside their lease (each job's waits have deadlines). */
const CLAIM = 10;
/** Jobs one call runs at most. */
export const JOBS_PER_RUN = 100;

/**
 * The claim: up to `limit` due jobs, oldest first, leased to this runner in one statement (`FOR UPDATE
 * SKIP LOCKED` under the lease check). Its shape depends only on which filters apply, so each of the
 * few shapes is built once (`builtOnce`): every purchase's receipt claims through it.
 */
function claimStatement(db: Database, shape: { purchase: boolean; skip: boolean; fresh: boolean }) {
  const name = `claim_jobs_${Number(shape.purchase)}${Number(shape.skip)}${Number(shape.fresh)}`;
  return builtOnce(db, name, (db) => {
    // The database's clock throughout: a job queued a moment ago has `run_at` = its transaction's now(),
    // to the microsecond, which a JavaScript Date (milliseconds) taken just after could still precede.
    const due = db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          isNull(jobs.doneAt),
          lte(jobs.runAt, sql`now()`),
          or(isNull(jobs.lockedUntil), lt(jobs.lockedUntil, sql`now()`)),
          shape.purchase ? eq(jobs.purchaseId, sql.placeholder('purchaseId')) : undefined,
          shape.skip ? sql`not (${jobs.id} = any(${sql.placeholder('skip')}::uuid[]))` : undefined,
          shape.fresh ? isNull(jobs.lastError) : undefined,
        ),
      )
      .orderBy(asc(jobs.runAt))
      .limit(sql.placeholder('limit'))
      .for('update', { skipLocked: true });
    return db
      .update(jobs)
      .set({ lockedUntil: sql`now() + ${`${LEASE_MS} milliseconds`}::interval`, attempts: sql`${jobs.attempts} + 1` })
      .where(inArray(jobs.id, due))
      .returning()
      .prepare(name);
  });
}

/**
 * Runs due jobs (optionally only those of one purchase), oldest first, up to 100 a call. Jobs are
 * claimed ten at a time with a lease, in one statement (`FOR UPDATE SKIP LOCKED` under the lease
 * check), so concurrent runners never run the same job at once, and each is marked done only after it
 * succeeded; a failure is logged and recorded for the next run. `fresh` leaves jobs that failed
 * before to other runs (the worker retries those once a minute, not at every poll). Returns how many
 * ran and how many failed.
 */
export async function runJobs(options: { purchaseId?: string; fresh?: boolean } = {}): Promise<{ done: number; failed: number }> {
  const db = await getDb();
  let done = 0;
  let failed = 0;
  // A job that fails is due again at once: it waits for the next run rather than retried in this one.
  const failedHere: string[] = [];
  for (let claimedSoFar = 0; claimedSoFar < JOBS_PER_RUN;) {
    const limit = Math.min(CLAIM, JOBS_PER_RUN - claimedSoFar);
    const claimed = await claimStatement(db, { purchase: Boolean(options.purchaseId), skip: failedHere.length > 0, fresh: Boolean(options.fresh) }).execute({
      limit,
      purchaseId: options.purchaseId,
      skip: failedHere,
    });
    if (claimed.length === 0) break;
    claimedSoFar += claimed.length;
    claimed.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime());
    for (const job of claimed) {
      try {
        await performJob(job);
        await queryRows(db, { sql: JOB_DONE, params: [job.id] }, { prepared: true });
        done++;
      } catch (error) {
        failed++;
        failedHere.push(job.id);
        const message = error instanceof Error ? error.message : String(error);
        console.error(`[jobs] ${job.kind} for ${job.reference} failed (attempt ${job.attempts}): ${message}`);
        await queryRows(db, { sql: JOB_FAILED, params: [job.id, message.slice(0, 2000)] }, { prepared: true });
      }
    }
    // A purchase's jobs are all queued by its fulfilment: a short claim means none is left. Any other
    // run claims again, for jobs the ones it ran queued (an auto top-up's notice, say).
    if (options.purchaseId && claimed.length < limit) break;
  }
  return { done, failed };
}

/**
 * How a request runs the jobs its committed change queued (receipt, callbacks): `runNow` awaits them
 * before the caller answers; the webhook route passes `afterResponse`, which runs them once the
 * response is sent. Either way they are rows in `jobs` already, so a process that dies first leaves
 * them to the next runner (`npm run credits:jobs`, `payments:retry`), never undone or lost.
 */
export type AfterCommit = (task: () => Promise<unknown>) => unknown;
export const runNow: AfterCommit = (task) => task();

/**
 * Runs the jobs a purchase's change just queued (its receipt, callbacks), in this process — or, with
 * `JOB_RUNNER=worker`, leaves them to `npm run credits:worker`, which runs them within its poll.
 */
export async function runPurchaseJobs(purchaseId: string): Promise<{ done: number; failed: number }> {
  if (env.JOB_RUNNER === 'worker') return { done: 0, failed: 0 };
  return runJobs({ purchaseId });
}

let soon: ReturnType<typeof setTimeout> | null = null;

/**
 * Asks this process to run due jobs shortly (a quarter of a second, at most one run pending), for
 * work a ledger statement may just have queued (a low-balance alert). It costs the caller nothing:
 * the run happens after the caller's transaction, outside its request. Production deployments without
 * a long-lived process also run `npm run payments:retry` from cron. Off in tests, which run jobs
 * themselves, and with `JOB_RUNNER=worker`, whose worker runs them.
 */
export function runJobsSoon(): void {
  if (soon || env.NODE_ENV === 'test' || env.JOB_RUNNER === 'worker') return;
  soon = setTimeout(() => {
    soon = null;
    runJobs().catch((error: unknown) => console.error('[jobs] run failed', error));
  }, 250);
  soon.unref?.();
}
