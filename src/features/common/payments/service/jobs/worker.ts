import { setTimeout as sleep } from 'node:timers/promises';

import { JOBS_PER_RUN, runJobs } from '@/features/common/payments/service/jobs/jobs';
import { describeMaintenance, runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';
import { databaseErrorReason, isDatabaseUnavailable } from '@/shared/db/database-unavailable';

export interface JobWorkerOptions {
  /** Ends the loop: the run in progress finishes first (its jobs are leased, so nothing is lost either way). */
  signal: AbortSignal;
  /** How often due jobs are looked for when there were none (default 1 s). */
  pollMs?: number;
  /** How often the periodic work runs: expiring holds and lots, queueing reminders (default 60 s). */
  maintenanceMs?: number;
  /**
   * Jobs run at once (default 4): a job mostly waits (on the database, Stripe, the email service),
   * so one worker keeps several going, each claimed by its own runner.
   */
  concurrency?: number;
  /** Where the worker says what it did and what failed (default: the console). */
  log?: (line: string) => void;
}

/** The longest the worker waits between tries while the database cannot be reached. */
const MAX_BACKOFF_MS = 30_000;

/**
 * The job worker behind `npm run credits:worker`: runs new jobs as they are queued (looking every
 * `pollMs`, at once again after a full batch; `concurrency` at a time), and the periodic work every
 * `maintenanceMs` (which also retries jobs that failed), until
 * `signal` aborts. A run that fails (the database down, a deadline) is logged and tried again after
 * a growing pause, up to 30 s, so the worker outlives an outage instead of exiting. Any number of
 * workers, the cron route and `credits:jobs` may run at once: jobs are claimed under a lease.
 */
export async function runJobWorker(options: JobWorkerOptions): Promise<void> {
  const { signal, pollMs = 1_000, maintenanceMs = 60_000, concurrency = 4, log = (line) => console.log(line) } = options;
  let lastMaintenance = -Infinity;
  let failures = 0;
  // The pause after a failed run: doubling with each one in a row, up to MAX_BACKOFF_MS.
  const backoff = () => Math.min(pollMs * 2 ** failures, MAX_BACKOFF_MS);
  while (!signal.aborted) {
    let more = false;
    try {
      if (performance.now() - lastMaintenance >= maintenanceMs) {
        // Counted from the start: a maintenance run that keeps failing must not keep new jobs waiting.
        lastMaintenance = performance.now();
        // Up to ten batches of due jobs here, failed ones included: the polls below run new ones as they come.
        const result = await runCreditsMaintenance({ maxJobBatches: 10 });
        if (result.expired + result.remindersQueued + result.jobsDone + result.jobsFailed > 0) log(`[credits:worker] ${describeMaintenance(result)}`);
      } else {
        // New jobs only: one that failed waits for the next maintenance run, a minute on, so a provider
        // that is down is not asked again every second, and failing jobs never crowd out new ones.
        const settled = await Promise.allSettled(Array.from({ length: concurrency }, () => runJobs({ fresh: true })));
        const runs = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
        const failed = runs.reduce((sum, run) => sum + run.failed, 0);
        if (failed > 0)
          log(`[credits:worker] ${runs.reduce((sum, run) => sum + run.done, 0)} jobs done, ${failed} failed (retried by the next maintenance run).`);
        const rejected = settled.find((outcome) => outcome.status === 'rejected');
        if (rejected) throw rejected.reason;
        // A full run may have left more due: look again at once.
        more = runs.some((run) => run.done >= JOBS_PER_RUN);
      }
      if (failures > 0) log('[credits:worker] running again.');
      failures = 0;
    } catch (error) {
      failures += 1;
      const message = isDatabaseUnavailable(error) ? `the database cannot be reached (${databaseErrorReason(error)})` : rootCause(error);
      log(`[credits:worker] run failed, trying again in ${backoff() / 1000} s: ${message}`);
    }
    if (more || signal.aborted) continue;
    await sleep(failures > 0 ? backoff() : pollMs, undefined, { signal }).catch(() => {});
  }
}

/** The innermost error's message: the database's own words rather than the query builder's wrapper. */
function rootCause(error: unknown): string {
  let message = String(error);
  for (let current = error; current instanceof Error; current = current.cause) message = current.message;
  return message.split('\n')[0]!;
}
