import { runJobWorker } from '@/features/common/payments/service/jobs/worker';

import { runWithDatabase } from './script-database';

// `npm run credits:worker`: a long-running worker for the credits' jobs. It runs receipts,
// callbacks, alerts and auto top-up charges within a second of being queued, and the periodic work
// (`credits:jobs`) every minute. Pair it with JOB_RUNNER=worker on the web processes, which then
// leave those jobs to it and only answer. It keeps going through a database outage, and stops on
// SIGINT or SIGTERM once the run in progress ends. Several may run at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

await runWithDatabase(
  'credits:worker',
  async () => {
    console.log('credits:worker: running jobs as they are queued (Ctrl-C stops).');
    await runJobWorker({ signal: stop.signal });
    console.log('credits:worker: stopped.');
  },
  // Long enough for a sweep over many wallets, well inside a job's two-minute lease.
  { statementDeadlineMs: 60 * 1000 },
);
