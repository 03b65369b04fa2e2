import { describeJobRun, retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';
import { openConfiguredDatabase, setDatabase } from '@/shared/db/client';

// `npm run payments:retry`: runs every pending payment side effect (callbacks, receipts) that failed
// or never ran. Safe to run at any time and from cron: each task succeeds at most once.
const handle = await openConfiguredDatabase();
setDatabase(handle);
try {
  const total = await retryDueJobs();
  console.log(describeJobRun(total));
  process.exitCode = total.failed > 0 ? 1 : 0;
} finally {
  await handle.close();
}
