import { describeMaintenance, runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';

import { runWithDatabase } from './script-database';

// `npm run credits:jobs`: the credits' periodic work — expires due holds and lots, queues reminders
// for credits about to expire, runs pending jobs (receipts, callbacks, reminders). Run it from cron
// every minute or few; runs may overlap. Exits 1 when a job failed (it is kept for the next run) or
// the database cannot be reached.
await runWithDatabase(
  'credits:jobs',
  async () => {
    const result = await runCreditsMaintenance();
    console.log(describeMaintenance(result));
    process.exitCode = result.jobsFailed > 0 ? 1 : 0;
  },
  { statementDeadlineMs: 5 * 60 * 1000 },
);
