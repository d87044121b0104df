/**
 * Three Rapport processes started at the same moment on an empty database, as a deployment
 * starts its API replicas and workers: two API processes (`scripts/start.ts`, workers apart) and
 * one worker (`scripts/worker.ts`), as real child processes. Each migration must be applied by
 * exactly one of them (each logs what it applied), none may fail, and all must become ready:
 * the APIs answer /readyz 200, the worker logs that it runs.
 *
 * Processes start up at different speeds (module loading alone varies by a second), far more than
 * migrating takes, so left alone they would rarely meet. So the test holds the empty schema's
 * door shut until all three are at it: a transaction here drops the schema without committing,
 * and creating anything in it waits on that. Once three sessions wait on a lock, the drop is
 * rolled back and they all go at once.
 *
 * Real parts: PostgreSQL (an empty schema of its own), the shared Temporal dev server, the HubSpot
 * sandbox and the SMTP catcher in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { MIGRATION_IDS } from '../../../store/migrations.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { eventually } from '../../../testkit/rapport.js';
import { freePort } from '../../../workflows/temporal/free-port.js';

const TOKEN = 'concurrent-migrations-token';
const API_TOKEN = 'concurrent-migrations-api-token-0123456789';

interface Started {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let database: ScratchPostgres;
let schema: string;
let databaseUrl: string;
let sandbox: HubSpotSandbox;
let catcher: SmtpCatcher;
let dataDir: string;
let door: pg.Client | undefined;
const children: Started[] = [];

function start(name: string, script: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = { name, child, output: () => output, exited };
  children.push(started);
  return started;
}

/** The JSON log lines of a process (pino), skipping anything else it printed. */
function logLines(s: Started): { level: number; msg: string; applied?: number[] }[] {
  return s
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; applied?: number[] });
}

const describeAll = () => children.map((s) => `--- ${s.name}\n${s.output().slice(-3000)}`).join('\n');

beforeAll(async () => {
  database = await scratchPostgres();
  schema = `migrate_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(database.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  databaseUrl = url.toString();
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: TOKEN });
  catcher = await startSmtpCatcher();
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-migrate-'));
});

afterAll(async () => {
  await door?.end().catch(() => undefined);
  for (const s of children) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await Promise.all(children.map((s) => s.exited));
  await catcher?.close();
  await sandbox?.close();
  if (database) {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    await database.stop();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('three processes started at once on an empty database', () => {
  it('apply each migration once between them, and all become ready', { timeout: 240_000 }, async () => {
    const shared = {
      LOG_LEVEL: 'info',
      API_TOKENS: API_TOKEN,
      RAPPORT_SECRET: 'concurrent-migrations-secret-0123456789abcdef',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `migrate-${Date.now().toString(36)}`,
      HUBSPOT_ACCESS_TOKEN: TOKEN,
      HUBSPOT_BASE_PATH: sandbox.url,
      SMTP_URL: catcher.smtpUrl,
      WORKER_IN_PROCESS: 'false',
    };
    const apis = await Promise.all(
      ['api-1', 'api-2'].map(async (name) => {
        const port = await freePort();
        return {
          port,
          env: {
            ...shared,
            HOST: '127.0.0.1',
            PORT: String(port),
            DATA_DIR: join(dataDir, name),
            SMS_SANDBOX_PORT: String(await freePort()),
          },
          name,
        };
      }),
    );
    // The schema's door, shut: creating anything in it waits until this transaction ends.
    door = new pg.Client({ connectionString: database.url });
    await door.connect();
    await door.query('begin');
    await door.query(`drop schema ${schema}`);
    const started = [
      ...apis.map((a) => start(a.name, 'scripts/start.ts', a.env)),
      start('worker', 'scripts/worker.ts', { ...shared, DATA_DIR: join(dataDir, 'worker') }),
    ];
    const alive = () => {
      const dead = started.find((s) => s.child.exitCode !== null);
      if (dead) throw new Error(`${dead.name} exited ${dead.child.exitCode}\n${describeAll()}`);
    };

    // Sessions waiting on a lock, seen from outside the door's transaction (which would see one snapshot).
    const watch = new pg.Client({ connectionString: database.url });
    await watch.connect();
    const waiting = async () =>
      Number(
        (
          await watch.query<{ n: string }>(
            `select count(*)::text as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'`,
          )
        ).rows[0]!.n,
      );
    await eventually(
      async () => {
        alive();
        return (await waiting()) >= 3 ? true : undefined;
      },
      120_000,
      100,
    );
    await watch.end();
    await door.query('rollback');
    await door.end();

    for (const api of apis) {
      await eventually(
        async () => {
          alive();
          const res = await fetch(`http://127.0.0.1:${api.port}/readyz`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        180_000,
        250,
      );
    }
    const worker = started[2]!;
    await eventually(
      async () => {
        alive();
        return logLines(worker).some((l) => l.msg === 'worker running') ? true : undefined;
      },
      180_000,
      250,
    );

    // Each migration applied by exactly one process, and recorded once.
    const appliedBy = started.flatMap((s) =>
      logLines(s)
        .filter((l) => l.msg === 'migrations applied')
        .flatMap((l) => (l.applied ?? []).map((id) => ({ id, by: s.name }))),
    );
    expect(
      appliedBy.map((a) => a.id).sort((a, b) => a - b),
      describeAll(),
    ).toEqual([...MIGRATION_IDS]);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const { rows } = await admin.query<{ id: number }>('select id from schema_migrations order by id');
    await admin.end();
    expect(rows.map((r) => r.id)).toEqual([...MIGRATION_IDS]);
    // Nobody logged an error (pino level 50 and above) on the way.
    for (const s of started)
      expect(
        logLines(s).filter((l) => l.level >= 50),
        s.name,
      ).toEqual([]);

    for (const s of started) s.child.kill('SIGTERM');
    expect(await Promise.all(started.map((s) => s.exited)), describeAll()).toEqual([0, 0, 0]);
  });
});
