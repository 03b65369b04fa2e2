import { env } from '@/config/env';
import { openConfiguredDatabase, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { databaseErrorReason, isDatabaseUnavailable } from '@/shared/db/database-unavailable';
import { PgliteLockedError } from '@/shared/db/pglite-lock';

/**
 * Runs a script's body on the configured database (set as the app's database too), then closes it.
 * When the database cannot be reached, or the embedded one is held by another process, the script
 * prints one line saying so and exits 1, instead of a stack trace (or waiting forever).
 */
export async function runWithDatabase(
  script: string,
  body: (handle: DatabaseHandle) => Promise<void>,
  options: { statementDeadlineMs?: number } = {},
): Promise<void> {
  let handle: DatabaseHandle | undefined;
  try {
    // Scripts work on whole tables (a migration, a ledger check): their statements get the deadline the
    // script asks for, not the 5 s a request gets. Connecting still gives up after a few seconds.
    handle = await openConfiguredDatabase(options);
    setDatabase(handle);
    await body(handle);
  } catch (error) {
    if (error instanceof PgliteLockedError) {
      console.error(`${script}: ${error.message}`);
    } else if (isDatabaseUnavailable(error)) {
      console.error(`${script}: cannot reach the database at ${where()} (${databaseErrorReason(error)}); nothing was done.`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** The database's address without its password. */
function where(): string {
  if (!env.DATABASE_URL) return env.PGLITE_DIR;
  const url = new URL(env.DATABASE_URL);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}
