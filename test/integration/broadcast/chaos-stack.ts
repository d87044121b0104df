/**
 * What the worker chaos tests run against: PostgreSQL (a worker in its own process cannot share
 * PGlite), the HubSpot sandbox seeded with large overlapping lists, the SMTP catcher, Rapport's
 * API in this process on the shared Temporal dev server (on a task queue of its own, so no
 * in-process test worker polls it), and its worker as compiled JavaScript in a child process with
 * a prebuilt workflow bundle, as deployed (a restart takes about a second).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { compileEntry } from '../../../bench/support/compile-entry.js';
import { loadEnv } from '../../../config/env.js';
import { createLogger } from '../../../main/logger.js';
import { startRapport, type RapportRuntime } from '../../../main/runtime.js';
import { seedBenchLists, startHubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { openDb, type Db } from '../../../store/db.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { startPeopleTokens } from '../../../testkit/people.js';
import { eventually, TEST_API_TOKEN, TEST_SECRET, type Sandbox } from '../../../testkit/rapport.js';
import { startWorkerProcess, WORKER_PROCESS_ENTRY, type WorkerProcess } from '../../../testkit/worker-child.js';
import { bundleWorkflowsFromSource } from '../../../workflows/worker.js';
import { BROADCAST_ENV, type AlertBody } from './support.js';

export interface ChaosStackOptions {
  /** Names the task queue and the schema. */
  name: string;
  memberships: number;
  lists: number;
  overlap: number;
  /** More environment for the API and the worker (strings, as in the environment). */
  env?: Record<string, string>;
}

export interface ChaosStack {
  db: Db;
  catcher: SmtpCatcher;
  rapport: RapportRuntime;
  envVars: Record<string, string>;
  listIds: string[];
  uniqueContacts: number;
  /** The worker running now (the first is started with the stack). */
  worker: WorkerProcess | undefined;
  /** Starts a worker process (it becomes `worker`). */
  startWorker(): Promise<WorkerProcess>;
  api(path: string, json?: unknown): Promise<Response>;
  getAlert(id: string): Promise<AlertBody>;
  waitForStatus(id: string, wanted: string[], timeoutMs: number): Promise<AlertBody>;
  close(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const token = `${options.name}-token`;
  const pg: ScratchPostgres = await scratchPostgres();
  const people = await startPeopleTokens();
  const schema = `${options.name.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`;
  const db = await openDb({ databaseUrl: pg.url, schema });
  const sandbox: Sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: token,
    rateLimit: { perTenSeconds: 100_000, searchPerSecond: 50, daily: 10_000_000 },
  });
  const { listIds, uniqueContacts } = seedBenchLists(sandbox.state(), {
    memberships: options.memberships,
    lists: options.lists,
    overlap: options.overlap,
  });
  // Bodies of the newest few only (the final summary); per-recipient counts are always kept.
  const catcher = await startSmtpCatcher({ keepBodies: 100 });
  const envVars: Record<string, string> = {
    ...BROADCAST_ENV,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    API_TOKENS: TEST_API_TOKEN,
    ...people.env,
    RAPPORT_SECRET: TEST_SECRET,
    SMTP_URL: catcher.smtpUrl,
    // A task queue of its own: only the worker process polls it.
    TEMPORAL_TASK_QUEUE: `${options.name}-${randomBytes(4).toString('hex')}`,
    HUBSPOT_RATE_LIMIT: '1000',
    ALERT_FREQUENCY_CAP: '1000000/1',
    EMAIL_RATE_PER_SECOND: '5000',
    RESPONSE_WINDOW_HOURS: '0.0003',
    WORKER_IN_PROCESS: 'false',
    ...options.env,
  };
  const rapport = await startRapport(loadEnv(envVars), createLogger('silent'), {
    temporalAddress: inject('temporalAddress'),
    db,
    hubspotBasePath: sandbox.url,
    hubspotToken: token,
    workerInProcess: false,
    listen: false,
  });

  // The worker as deployed: compiled JavaScript and a workflow bundle built ahead of time.
  const bundleDir = mkdtempSync(join(tmpdir(), 'rapport-chaos-bundle-'));
  const bundlePath = join(bundleDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowsFromSource()).code);
  const entry = await compileEntry(WORKER_PROCESS_ENTRY);

  const api = async (path: string, json?: unknown) =>
    rapport.app.request(path, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: await people.authorization(json, TEST_API_TOKEN), 'content-type': 'application/json' },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  const getAlert = async (id: string) => (await (await api(`/api/alerts/${id}`)).json()) as AlertBody;

  const stack: ChaosStack = {
    db,
    catcher,
    rapport,
    envVars,
    listIds,
    uniqueContacts,
    worker: undefined,
    async startWorker() {
      stack.worker = await startWorkerProcess({
        entry,
        env: envVars,
        config: {
          temporalAddress: inject('temporalAddress'),
          databaseUrl: pg.url,
          schema,
          crmUrl: sandbox.url,
          crmToken: token,
          smtpUrl: catcher.smtpUrl,
          publicUrl: 'http://127.0.0.1:3000',
          bundlePath,
        },
      });
      return stack.worker;
    },
    api,
    getAlert,
    waitForStatus: (id, wanted, timeoutMs) =>
      eventually(
        async () => {
          const alert = await getAlert(id);
          return wanted.includes(alert.status) ? alert : undefined;
        },
        timeoutMs,
        500,
      ),
    async close() {
      await stack.worker?.stop().catch(() => undefined);
      await rapport.stop();
      await db.close();
      await pg.stop();
      await catcher.close();
      await sandbox.close();
      await people.close();
      rmSync(bundleDir, { recursive: true, force: true });
    },
  };
  await stack.startWorker();
  return stack;
}
