import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Postgres cluster of the test's own, in a temporary folder on a free port: fault tests stop it
 * (`pg_ctl stop -m immediate`, a crash as far as clients can tell) and start it again, which the shared
 * server on 5432 must never go through. Needs `initdb` and `pg_ctl` on the PATH (or in PG_BIN); as
 * root, the cluster runs as the `postgres` user, since Postgres refuses to run as root.
 */
export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: backends die at once, clients see their connections drop. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and deletes its folder. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function pgBin(name: string): Promise<string> {
  if (process.env.PG_BIN) return path.join(process.env.PG_BIN, name);
  try {
    await run('which', [name]);
    return name;
  } catch {
    const { stdout } = await run('sh', ['-c', `ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1`]);
    return path.join(stdout.trim(), name);
  }
}

export async function startThrowawayPostgres(options: { port?: number } = {}): Promise<ThrowawayPostgres> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pg-fault-'));
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    uid = Number(stdout.trim());
    gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chmod(dir, 0o755);
    await chown(dir, uid, gid);
  }
  const as = async (bin: string, args: string[]) => {
    const executable = await pgBin(bin);
    return asRoot
      ? run('runuser', ['-u', 'postgres', '--', executable, ...args], {
          cwd: dir,
        })
      : run(executable, args, { cwd: dir });
  };
  await as('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const log = path.join(dir, 'postgres.log');
  const pgOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await as('pg_ctl', ['start', '-D', dataDir, '-l', log, '-w', '-t', '30', '-o', pgOptions]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash: async () => {
      await as('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    },
    start,
    destroy: async () => {
      await as('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
