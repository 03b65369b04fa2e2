import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One process owns an embedded PGlite folder at a time: two opening it write over each other (lost
 * ledger entries, a folder that no longer opens). The owner writes `<folder>.lock.json` with its pid
 * and, when it serves the database over the Postgres protocol (`npm run dev` does), the URL other
 * processes connect to instead. A lock whose process is gone (killed, crashed) is taken over.
 */
export interface PgliteLock {
  pid: number;
  /** postgres://… of the owner's database server, when it runs one. */
  url?: string;
  startedAt: string;
}

export function lockFileOf(dataDir: string): string {
  return `${path.resolve(dataDir).replace(/[\\/]+$/, '')}.lock.json`;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live owner of the folder, or `null` (no lock, or one left by a process that is gone). */
export function readPgliteLock(dataDir: string): PgliteLock | null {
  try {
    const lock = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as PgliteLock;
    return typeof lock.pid === 'number' && alive(lock.pid) ? lock : null;
  } catch {
    return null;
  }
}

/** Someone else has the embedded database open. */
export class PgliteLockedError extends Error {
  readonly code = 'PGLITE_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly owner: PgliteLock,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${owner.pid}): stop it, or start it with \`npm run dev\`, which serves the database to scripts, db:studio and psql.`,
    );
    this.name = 'PgliteLockedError';
  }
}

/**
 * Takes the folder for this process, or throws `PgliteLockedError` naming the process that has it.
 * Returns a function that gives it back (also done, best effort, when the process exits).
 */
export function acquirePgliteLock(dataDir: string): { release(): void; update(url: string): void } {
  const file = lockFileOf(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  const lock: PgliteLock = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(lock), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw error;
      const owner = readPgliteLock(dataDir);
      if (owner && owner.pid !== process.pid) throw new PgliteLockedError(dataDir, owner);
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  const release = () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as PgliteLock;
      if (current.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return {
    release: () => {
      process.removeListener('exit', release);
      release();
    },
    update: (serverUrl: string) => writeFileSync(file, JSON.stringify({ ...lock, url: serverUrl })),
  };
}
