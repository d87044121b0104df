import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../workflows/temporal/free-port.js';

export interface ScratchPostgres {
  url: string;
  /** The postmaster's process id, for a cluster started here (benches read the CPU of its process tree). */
  pid?: number;
  stop(): Promise<void>;
}

const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
  '/usr/local/bin',
];

/**
 * DATABASE_URL when set; otherwise a throw-away PostgreSQL cluster in a temp dir (fsync off),
 * because a worker in its own process cannot share the embedded PGlite. Run as root, the
 * server runs as the `postgres` user (PostgreSQL refuses root). `own`: a throw-away cluster even
 * when DATABASE_URL is set (a bench that measures PostgreSQL's CPU must have it to itself).
 */
export async function scratchPostgres(options: { own?: boolean } = {}): Promise<ScratchPostgres> {
  if (process.env.DATABASE_URL && !options.own) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const bin = BIN_DIRS.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres')));
  if (!bin)
    throw new Error(
      'no PostgreSQL binaries found: set DATABASE_URL to a PostgreSQL (benches and the worker chaos test need one)',
    );
  const dir = mkdtempSync(join(tmpdir(), 'rapport-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (cmd: string[]) => {
    const [file, ...args] = [...asUser, ...cmd];
    const r = spawnSync(file!, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr || r.stdout}`);
  };
  run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const [file, ...args] = [
    ...asUser,
    join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    // Room for a Temporal cluster (a pool per service) beside several Rapport processes.
    'max_connections=200',
  ];
  const server: ChildProcess = spawn(file!, args, { stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url,
    pid: postmaster,
    stop: async () => {
      const exited = new Promise((r) => server.once('exit', r));
      // SIGINT is PostgreSQL's fast shutdown. It goes to the postmaster itself: runuser (as root)
      // ignores SIGINT and does not pass it on, which left clusters running after their tests.
      try {
        process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGINT');
      } catch {
        server.kill('SIGINT');
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
