import { describeMaintenance, runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';

/** How often the development server runs the credits' periodic work. */
const INTERVAL_MS = 30_000;

const state = globalThis as typeof globalThis & { __creditsDevRunner?: NodeJS.Timeout };

/**
 * In development the server runs the credits' periodic work itself (what `npm run credits:jobs` or
 * the cron route do in production), so holds expire, reminders go out and receipts retry without a
 * scheduler. One timer per process, surviving hot reloads; a run never overlaps the one before.
 */
export function startDevelopmentJobRunner(): void {
  if (state.__creditsDevRunner) return;
  let running = false;
  let lastLine = '';
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const line = describeMaintenance(await runCreditsMaintenance({ maxJobBatches: 5 }));
      if (line !== lastLine || !line.endsWith('nothing was due.')) console.log(`[credits] ${line}`);
      lastLine = line;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastLine) console.warn(`[credits] periodic work failed, trying again in ${INTERVAL_MS / 1000} s: ${message}`);
      lastLine = message;
    } finally {
      running = false;
    }
  };
  state.__creditsDevRunner = setInterval(() => void tick(), INTERVAL_MS);
  state.__creditsDevRunner.unref();
}
