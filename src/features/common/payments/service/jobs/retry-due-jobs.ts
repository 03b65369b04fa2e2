import { runJobs } from '@/features/common/payments/service/jobs/jobs';

export interface JobRunTotals {
  done: number;
  failed: number;
}

/**
 * Runs due jobs in passes until a pass gets none done, for `npm run payments:retry`. A job that fails
 * stays pending for the next run; each job succeeds at most once, so this is safe at any time.
 */
export async function retryDueJobs(options: { maxPasses?: number } = {}): Promise<JobRunTotals> {
  const total = { done: 0, failed: 0 };
  for (let passes = 0; passes < (options.maxPasses ?? Number.POSITIVE_INFINITY); passes++) {
    const pass = await runJobs();
    total.done += pass.done;
    total.failed += pass.failed;
    if (pass.done === 0) break;
  }
  return total;
}

/** The line `payments:retry` prints: says so plainly when nothing was due. */
export function describeJobRun({ done, failed }: JobRunTotals): string {
  if (done === 0 && failed === 0) return 'Payment tasks: nothing to do, no task was due.';
  if (failed === 0) return `Payment tasks: ${done} done.`;
  return `Payment tasks: ${done} done, ${failed} failed (kept for the next run).`;
}
