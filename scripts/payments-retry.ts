import { describeJobRun, retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';

import { runWithDatabase } from './script-database';

// `npm run payments:retry`: runs every pending payment side effect (callbacks, receipts) that failed
// or never ran. Safe to run at any time and from cron: each task succeeds at most once. Exits 1 when
// a task failed or the database cannot be reached.
await runWithDatabase(
  'payments:retry',
  async () => {
    const total = await retryDueJobs();
    console.log(describeJobRun(total));
    process.exitCode = total.failed > 0 ? 1 : 0;
  },
  { statementDeadlineMs: 5 * 60 * 1000 },
);
