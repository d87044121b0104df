/**
 * A Rapport worker in its own process: benches measure its memory alone, chaos tests SIGKILL or SIGTERM it.
 * Configured by the environment (loadEnv, e.g. TEMPORAL_TASK_QUEUE) plus RAPPORT_WORKER_PROCESS
 * (JSON, see WorkerProcessConfig). Sends {ready} over IPC once polling, and {stopped, maxRssKb}
 * after SIGTERM. Started by startWorkerProcess() in ./worker-child.ts.
 */
import { writeFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { loadEnv } from '../config/env.js';
import { createContactDirectory } from '../crm/contact-directory.js';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import type { ThreadedEmailSender } from '../channels/email/threaded-sender.js';
import { createBroadcastServices } from '../services/broadcast-services.js';
import { createLogger } from '../main/logger.js';
import { temporalLogger } from '../main/temporal-logger.js';
import { hubspotBudget } from '../main/steps/crm.js';
import { createIntakes } from '../main/steps/intakes.js';
import { createStaleWorkSweep } from '../services/stale-work.js';
import { openDb, type Db } from '../store/db.js';
import { createTouchStore } from '../store/touches.js';
import { connectWorker, targetFromEnv } from '../workflows/temporal/connection.js';
import { createRapportWorker, type ActivityDeps } from '../workflows/worker.js';
import { startPeakSampler } from './memory-breakdown.js';

export interface WorkerProcessConfig {
  temporalAddress: string;
  /** PostgreSQL: a worker in its own process cannot share the embedded PGlite. */
  databaseUrl: string;
  schema?: string;
  crmUrl: string;
  crmToken: string;
  smtpUrl: string;
  publicUrl: string;
  /** A workflow bundle built ahead of time (as Temporal recommends for production); unset: bundled at start. */
  bundlePath?: string;
}

/**
 * BENCH_QUERY_COUNTS=<file>: every statement this worker runs is counted by its first words and
 * written to that file (JSON) at stop, to see where the ledger's round trips go.
 */
const queryCounts = process.env.BENCH_QUERY_COUNTS ? new Map<string, number>() : undefined;
function countQueries(db: Db): Db {
  if (!queryCounts) return db;
  const count = (sql: string) => {
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    queryCounts.set(key, (queryCounts.get(key) ?? 0) + 1);
  };
  return {
    ...db,
    query: (sql, params, options) => (count(sql), db.query(sql, params, options)),
    transaction: (fn) => (count('begin (transaction)'), db.transaction(fn)),
  };
}

const config = JSON.parse(process.env.RAPPORT_WORKER_PROCESS ?? '{}') as WorkerProcessConfig;
const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL, 'worker-process');
// The SDK logs on its own unless told: as strict as LOG_LEVEL, as server/runtime.ts does it.
const temporalLevel =
  env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? 'INFO' : env.LOG_LEVEL === 'silent' ? 'ERROR' : 'WARN';
Runtime.install({
  logger: temporalLogger(logger, temporalLevel),
  telemetryOptions: { logging: { filter: { core: temporalLevel, other: 'ERROR' }, forward: {} } },
});
const db = countQueries(await openDb({ databaseUrl: config.databaseUrl, schema: config.schema }));
const crm = createHubSpotCrm({
  accessToken: config.crmToken,
  basePath: config.crmUrl,
  // As main/worker-process.ts: the portal's budget shared through PostgreSQL.
  budget: hubspotBudget(env, db, logger),
  traffic: 'background',
  logger,
});
const broadcast = createBroadcastServices(env, {
  db,
  crm,
  smtpUrl: config.smtpUrl,
  secret: env.RAPPORT_SECRET!,
  publicUrl: config.publicUrl,
});
const target = targetFromEnv(env, config.temporalAddress);
target.address = config.temporalAddress;
const connection = await connectWorker(target);
const touches = createTouchStore(db);
// The sweep schedule's runs land on any worker of the task queue: this one takes them as npm run worker does.
const { intake, alertIntake } = createIntakes(env, {
  temporal: new Client({ connection, namespace: target.namespace }),
  logger,
  crm,
  contacts: createContactDirectory(crm),
  touches,
  alerts: broadcast.alerts,
  approvals: broadcast.approvals,
  responses: broadcast.responses,
  deliveries: broadcast.deliveries,
  db,
});
const deps: ActivityDeps = {
  crm,
  touches,
  broadcast,
  maintenance: { sweep: createStaleWorkSweep({ touches, intake, alertIntake }) },
};
// With a pre-built bundle, no webpack in this process.
const worker = await createRapportWorker({
  connection,
  namespace: target.namespace,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  deps,
  shutdownGraceSeconds: env.WORKER_SHUTDOWN_GRACE_SECONDS,
  ...(config.bundlePath ? { workflowBundlePath: config.bundlePath } : {}),
});
// SIGTERM drains as `npm run worker` does (the SDK calls worker.shutdown() on it too).
process.once('SIGTERM', () => {
  if (worker.getState() === 'RUNNING') worker.shutdown();
});
const running = worker.run();
// Where the memory goes, at the peak and on request ({memory: true, reset?}: now, and the peak since the last reset).
const mail = broadcast.mail as Partial<ThreadedEmailSender>;
const sampler = startPeakSampler(() => mail.threadId?.());
process.on('message', (m: { memory?: boolean; reset?: boolean }) => {
  if (!m.memory) return;
  const now = sampler.now();
  process.send?.({ memory: { now, peak: sampler.peak() ?? now } });
  if (m.reset) sampler.reset();
});
process.send?.({ ready: true, rssKb: Math.round(process.memoryUsage().rss / 1024), memory: sampler.now() });
await running;
broadcast.mail.close();
await connection.close();
await db.close();
// resourceUsage().maxRSS is in kilobytes: the peak of the whole process life.
if (queryCounts)
  writeFileSync(process.env.BENCH_QUERY_COUNTS!, JSON.stringify(Object.fromEntries(queryCounts), null, 1));
process.send?.({ stopped: true, maxRssKb: process.resourceUsage().maxRSS, peak: sampler.peak() });
sampler.stop();
process.disconnect?.();
process.exit(0);
