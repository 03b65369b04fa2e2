import { runJobs } from '@/features/common/payments/service/jobs/jobs';

import { runWithDatabase } from './script-database';

// `npm run payments:retry`: runs every pending payment side effect (callbacks, receipts) that failed
// or never ran. Safe to run at any time and from cron: each task succeeds at most once. Exits 1 when
// a task failed or the database cannot be reached.
await runWithDatabase('payments:retry', async () => {
  let total = { done: 0, failed: 0 };
  for (;;) {
    const batch = await runJobs();
    total = { done: total.done + batch.done, failed: total.failed + batch.failed };
    if (batch.done === 0) break;
  }
  console.log(`Payment tasks: ${total.done} done, ${total.failed} failed (kept for the next run).`);
  process.exitCode = total.failed > 0 ? 1 : 0;
});
