import { retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';
import { expireDueCredits } from '@/features/common/payments/service/ledger/expiry';
import { queueExpiryReminders } from '@/features/common/payments/service/ledger/lots';
import { getDb } from '@/shared/db/client';

export interface CreditsMaintenanceResult {
  /** Wallets whose due holds and lots were expired. */
  walletsSwept: number;
  /** Holds released and lots expired by their time running out. */
  expired: number;
  /** Lots about to expire whose reminders were queued. */
  remindersQueued: number;
  /** Background jobs (receipts, callbacks, reminders) run, and those that failed and wait for the next run. */
  jobsDone: number;
  jobsFailed: number;
}

/**
 * The credits' periodic work, in order: expire due holds and lots (their credits go back or go),
 * queue reminders for lots about to expire, then run due jobs (up to `maxJobBatches` batches of 100).
 * Every step is safe to run concurrently and repeatedly — `npm run credits:jobs`, the cron route and
 * the development server's runner can overlap without doing anything twice.
 */
export async function runCreditsMaintenance(options: { maxJobBatches?: number } = {}): Promise<CreditsMaintenanceResult> {
  const maxJobBatches = options.maxJobBatches ?? 50;
  const db = await getDb();
  const { wallets, expired } = await expireDueCredits(db);
  const remindersQueued = await queueExpiryReminders(db);
  const { done: jobsDone, failed: jobsFailed } = await retryDueJobs({ maxPasses: maxJobBatches });
  return { walletsSwept: wallets, expired, remindersQueued, jobsDone, jobsFailed };
}

/** One line for a log: what a maintenance run did. */
export function describeMaintenance(result: CreditsMaintenanceResult): string {
  const { walletsSwept, expired, remindersQueued, jobsDone, jobsFailed } = result;
  if (expired + remindersQueued + jobsDone + jobsFailed === 0) return 'Credits jobs: nothing was due.';
  return (
    `Credits jobs: ${expired} holds and lots expired in ${walletsSwept} wallets, ${remindersQueued} expiry reminders queued, ` +
    `${jobsDone} jobs done` +
    (jobsFailed > 0 ? `, ${jobsFailed} failed (kept for the next run).` : '.')
  );
}
