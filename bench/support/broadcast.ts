/**
 * Shared set-up of the broadcast benches: a Temporal dev server, the HubSpot sandbox seeded
 * with large overlapping lists (directly in its state), the SMTP catcher (no bodies kept), a
 * PostgreSQL (DATABASE_URL, else a throw-away cluster), Rapport's API in this process and its
 * worker in a child process, so the worker's memory is its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadEnv } from '../../config/env.js';
import { seedBenchLists, startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../sandbox/smtp/index.js';
import { createLogger } from '../../main/logger.js';
import { startRapport, type RapportRuntime } from '../../main/runtime.js';
import { openDb, type Db } from '../../store/db.js';
import { startDevServer, type DevServer } from '../../workflows/temporal/dev-server.js';
import { freePort } from '../../workflows/temporal/free-port.js';
import { compileEntry } from './compile-entry.js';
import { bundleWorkflowsFromSource } from '../../workflows/worker.js';
import { scratchPostgres, type ScratchPostgres } from '../../testkit/postgres.js';
import { scriptCommand } from '../../testkit/rapport-process.js';
import { startWorkerProcess, WORKER_PROCESS_ENTRY, type WorkerProcess } from '../../testkit/worker-child.js';
import { startPeopleTokens } from '../../testkit/people.js';
import { SEND_AT_ONCE_ENV } from '../../testkit/send-at-once.js';

/**
 * V8 flags of the measured worker: those `npm run worker` runs with (package.json), so the bench
 * measures the worker as deployed. The old-generation cap makes V8 collect instead of growing the
 * heap under dispatch's allocation rate, and small semi-spaces keep the young generation from
 * holding tens of MB between scavenges. BENCH_WORKER_NODE_ARGS overrides them ('' for V8's defaults).
 */
export const WORKER_NODE_ARGS =
  process.env.BENCH_WORKER_NODE_ARGS ??
  scriptCommand('worker')
    .args.filter((a) => /^--max-[a-z-]+=\d+$/.test(a))
    .join(' ');

/**
 * Environment `npm run worker` sets before node (glibc's malloc arenas; the image sets the same),
 * so the measured worker's native memory behaves as deployed. BENCH_WORKER_ENV overrides it
 * ('NAME=value NAME=value', '' for glibc's defaults).
 */
export const WORKER_ENV: Record<string, string> =
  process.env.BENCH_WORKER_ENV !== undefined
    ? Object.fromEntries(
        process.env.BENCH_WORKER_ENV.split(/\s+/)
          .filter(Boolean)
          .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
      )
    : scriptCommand('worker').env;

/** WORKER_ENV as bench figures show it. */
export const workerEnvText = () =>
  Object.entries(WORKER_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(glibc defaults)';

export const TOKEN = 'bench-token-0123456789abcdefghijkl';
export const REQUESTER = 'analyst@bench-bank.example';
export const APPROVER = 'approver@bench-bank.example';
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const HUBSPOT_TOKEN = 'bench';

export interface BroadcastBenchOptions {
  memberships: number;
  lists: number;
  overlap: number;
  /** Sandbox budget (requests / 10 s) while the bench sets up and resolves the audience. */
  setupBudget: number;
  /** The worker's own CRM budget (HUBSPOT_RATE_LIMIT) for the first worker. */
  workerCrmBudget: number;
  /** Hand the worker a workflow bundle built here (Temporal's production advice) instead of bundling at its start. */
  prebundle: boolean;
  /** More environment for Rapport and its worker (strings, as in the environment). */
  env?: Record<string, string>;
}

/** The worker process (testkit/worker-child.ts). */
export type WorkerHandle = WorkerProcess;

export interface BroadcastBench {
  temporal: DevServer;
  sandbox: HubSpotSandbox;
  catcher: SmtpCatcher;
  pg: ScratchPostgres;
  db: Db;
  rapport: RapportRuntime;
  worker: WorkerHandle;
  listIds: string[];
  uniqueContacts: number;
  envVars: Record<string, string>;
  startWorker(extraEnv?: Record<string, string>): Promise<WorkerHandle>;
  api(path: string, init?: { method?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startBroadcastBench(options: BroadcastBenchOptions): Promise<BroadcastBench> {
  const temporal = await startDevServer({ ui: false });
  const sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: HUBSPOT_TOKEN,
    rateLimit: { perTenSeconds: options.setupBudget, searchPerSecond: 5, daily: 10_000_000 },
  });
  const seeded = seedBenchLists(sandbox.state(), {
    memberships: options.memberships,
    lists: options.lists,
    overlap: options.overlap,
  });
  const catcher = await startSmtpCatcher({ port: 0, webPort: 0, keepBodies: false });
  const pg = await scratchPostgres();
  // People sign in at a local issuer: only a person may decide (a service token never can).
  const people = await startPeopleTokens();
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const db = await openDb({ databaseUrl: pg.url, schema });
  const port = await freePort();
  const envVars: Record<string, string> = {
    LOG_LEVEL: 'silent',
    API_TOKENS: TOKEN,
    ...people.env,
    PORT: String(port),
    RAPPORT_SECRET: SECRET,
    SMTP_URL: catcher.smtpUrl,
    HUBSPOT_RATE_LIMIT: String(options.workerCrmBudget),
    APPROVER_GROUPS: `bench=${APPROVER},${REQUESTER}`,
    ALERT_QUIET_HOURS: 'off',
    // The bench measures dispatch, not the wait for the topic's announced time.
    ...SEND_AT_ONCE_ENV,
    ALERT_FREQUENCY_CAP: '1000000/1',
    EMAIL_RATE_PER_SECOND: '10000',
    RESPONSE_WINDOW_HOURS: '0.0003',
    WORKER_IN_PROCESS: 'false',
    ...options.env,
  };
  const env = loadEnv(envVars);
  const rapport = await startRapport(env, createLogger('silent'), {
    temporalAddress: temporal.address,
    db,
    hubspotBasePath: sandbox.url,
    hubspotToken: HUBSPOT_TOKEN,
    workerInProcess: false,
  });

  let bundlePath: string | undefined;
  if (options.prebundle) {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-bundle-'));
    bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowsFromSource()).code);
  }

  // With a prebuilt workflow bundle the worker needs no webpack at run time and runs as compiled JavaScript.
  const compiledWorker = bundlePath ? await compileEntry(WORKER_PROCESS_ENTRY) : undefined;
  const startWorker = (extraEnv: Record<string, string> = {}): Promise<WorkerHandle> =>
    startWorkerProcess({
      entry: compiledWorker,
      nodeArgs: WORKER_NODE_ARGS.split(' ').filter(Boolean),
      env: { ...envVars, ...WORKER_ENV, ...extraEnv },
      config: {
        temporalAddress: temporal.address,
        databaseUrl: pg.url,
        schema,
        crmUrl: sandbox.url,
        crmToken: HUBSPOT_TOKEN,
        smtpUrl: catcher.smtpUrl,
        publicUrl: rapport.url ?? `http://127.0.0.1:${port}`,
        bundlePath,
      },
    });
  const worker = await startWorker();

  const bench: BroadcastBench = {
    temporal,
    sandbox,
    catcher,
    pg,
    db,
    rapport,
    worker,
    listIds: seeded.listIds,
    uniqueContacts: seeded.uniqueContacts,
    envVars,
    startWorker,
    api: async (path, init = {}) =>
      fetch(`${rapport.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: await people.authorization(init.json, TOKEN), 'content-type': 'application/json' },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      }),
    close: async () => {
      await bench.worker.stop().catch(() => undefined);
      await rapport.stop();
      await db.close();
      await pg.stop();
      await catcher.close();
      await sandbox.close();
      await people.close();
      await temporal.stop();
      if (bundlePath) rmSync(dirname(bundlePath), { recursive: true, force: true });
    },
  };
  return bench;
}

export interface AlertStatus {
  id: string;
  status: string;
  version: number;
  audience: { totalMemberships: number; uniqueContacts: number; duplicates: number; deliveries: number } | null;
  counts: Record<string, number>;
}

export async function alertStatus(bench: BroadcastBench, id: string): Promise<AlertStatus> {
  return (await (await bench.api(`/api/alerts/${id}`)).json()) as AlertStatus;
}

export async function waitForStatus(
  bench: BroadcastBench,
  id: string,
  wanted: string[],
  timeoutMs: number,
  everyMs = 250,
): Promise<AlertStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const alert = await alertStatus(bench, id);
    if (wanted.includes(alert.status)) return alert;
    if (Date.now() > until) throw new Error(`alert ${id} is ${alert.status}, not ${wanted.join('|')}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Requests the alert to every bench list and waits until the audience awaits approval. */
export async function submitAlert(bench: BroadcastBench): Promise<AlertStatus> {
  const res = await bench.api('/api/alerts', {
    method: 'POST',
    json: {
      requester: REQUESTER,
      title: 'Rates move: fixed deposits up 0.25%',
      body: 'Our **fixed deposit** rates rise on Monday.\n\n- 12 months: 3.10%\n- 24 months: 3.35%\n\nDetails: https://bank.example/rates',
      topic: 'rates',
      lists: bench.listIds,
      channels: ['email'],
      replyTo: 'analyst',
      approverGroup: 'bench',
    },
  });
  if (res.status !== 202) throw new Error(`POST /api/alerts: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return waitForStatus(bench, id, ['awaiting_approval'], 30 * 60_000, 500);
}

export async function approve(bench: BroadcastBench, alert: AlertStatus): Promise<void> {
  const res = await bench.api(`/api/alerts/${alert.id}/decision`, {
    method: 'POST',
    json: { approver: APPROVER, decision: 'approve', version: alert.version },
  });
  if (!res.ok) throw new Error(`decision: ${res.status} ${await res.text()}`);
}

/** Events of every run of the alert's workflow (continue-as-new makes several): the longest, and all runs. */
export async function historyLengths(bench: BroadcastBench, alertId: string): Promise<number[]> {
  const client = bench.rapport.temporal;
  const runIds = new Set<string>();
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${alertId}'` })) runIds.add(wf.runId);
  if (runIds.size === 0) runIds.add((await client.workflow.getHandle(alertId).describe()).runId);
  const lengths: number[] = [];
  for (const runId of runIds) {
    const history = await client.workflow.getHandle(alertId, runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
  }
  return lengths;
}
