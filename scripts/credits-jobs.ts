import { describeMaintenance, runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';
import { openConfiguredDatabase, setDatabase } from '@/shared/db/client';

// `npm run credits:jobs`: the credits' periodic work — expires due holds and lots, queues reminders
// for credits about to expire, runs pending jobs (receipts, callbacks, reminders). Run it from cron
// every minute or few; runs may overlap. Exits 1 when a job failed (it is kept for the next run).
const handle = await openConfiguredDatabase();
setDatabase(handle);
try {
  const result = await runCreditsMaintenance();
  console.log(describeMaintenance(result));
  process.exitCode = result.jobsFailed > 0 ? 1 : 0;
} finally {
  await handle.close();
}
