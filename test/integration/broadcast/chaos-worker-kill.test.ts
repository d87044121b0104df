/**
 * Chaos: the worker process is SIGKILLed five times during a 20,000-recipient email dispatch and
 * restarted each time. Every recipient must end with exactly one message in the SMTP catcher,
 * or be reported unconfirmed (and then never sent twice); nobody may go missing silently; the
 * unconfirmed count stays within send concurrency x kills and shows in the API and the summary.
 *
 * Real parts: the shared Temporal dev server (on a task queue of its own, so no in-process test
 * worker polls it), PostgreSQL (a worker in its own process cannot share PGlite), the HubSpot
 * sandbox with 25,000 list memberships, the SMTP catcher, Rapport's API here and its worker as
 * compiled JavaScript in a child process with a prebuilt workflow bundle, as deployed.
 *
 * Each kill stalls the dispatch until Temporal gives up on the dead worker's activities: the
 * send activities' heartbeat timeout (1 minute, workflows/broadcast/workflows.ts), CRM logging's
 * 2 minutes. So this test takes ~5 minutes, most of it waiting on those timeouts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileEntry } from '../../../bench/support/compile-entry.js';
import { loadEnv } from '../../../config/env.js';
import { seedBenchLists, startHubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { createLogger } from '../../../main/logger.js';
import { startRapport, type RapportRuntime } from '../../../main/runtime.js';
import { openDb, type Db } from '../../../store/db.js';
import { bundleWorkflowsFromSource } from '../../../workflows/worker.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { eventually, TEST_API_TOKEN, TEST_SECRET, type Sandbox } from '../../../testkit/rapport.js';
import { startWorkerProcess, WORKER_PROCESS_ENTRY, type WorkerProcess } from '../../../testkit/worker-child.js';
import {
  compareLedgerWithCatcher,
  finalSummaryText,
  ledgerRows,
  measureSendLanes,
  messagesPerRecipient,
  workflowInput,
} from './chaos-support.js';
import { alertRequest, APPROVER, BROADCAST_ENV, REQUESTER, type AlertBody } from './support.js';

const HUBSPOT_TOKEN = 'chaos-kill-token';
const MEMBERSHIPS = 25_000;
const OVERLAP = 0.2; // 20,000 unique contacts on 5 lists
/** Sends between kills: the first after the dispatch is well under way, then each soon after sends resume. */
const KILL_AFTER = [1_500, 400, 400, 400, 400];

const log = (line: string) => console.log(`[chaos:worker-kill] ${line}`);

let pg: ScratchPostgres;
let db: Db;
let sandbox: Sandbox;
let catcher: SmtpCatcher;
let rapport: RapportRuntime;
let worker: WorkerProcess | undefined;
let startWorker: () => Promise<WorkerProcess>;
let envVars: Record<string, string>;
let listIds: string[];
let uniqueContacts: number;
let bundleDir: string;

const api = (path: string, json?: unknown) =>
  Promise.resolve(
    rapport.app.request(path, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    }),
  );
const getAlert = async (id: string) => (await (await api(`/api/alerts/${id}`)).json()) as AlertBody;
const waitForStatus = (id: string, wanted: string[], timeoutMs: number) =>
  eventually(
    async () => {
      const alert = await getAlert(id);
      return wanted.includes(alert.status) ? alert : undefined;
    },
    timeoutMs,
    500,
  );

beforeAll(async () => {
  pg = await scratchPostgres();
  const schema = `chaos_${randomBytes(5).toString('hex')}`;
  db = await openDb({ databaseUrl: pg.url, schema });
  sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: HUBSPOT_TOKEN,
    rateLimit: { perTenSeconds: 100_000, searchPerSecond: 50, daily: 10_000_000 },
  });
  ({ listIds, uniqueContacts } = seedBenchLists(sandbox.state(), {
    memberships: MEMBERSHIPS,
    lists: 5,
    overlap: OVERLAP,
  }));
  // Bodies of the newest few only (the final summary); per-recipient counts are always kept.
  catcher = await startSmtpCatcher({ keepBodies: 100 });
  envVars = {
    ...BROADCAST_ENV,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    API_TOKENS: TEST_API_TOKEN,
    RAPPORT_SECRET: TEST_SECRET,
    SMTP_URL: catcher.smtpUrl,
    // A task queue of its own: only the worker process below polls it.
    TEMPORAL_TASK_QUEUE: `chaos-kill-${randomBytes(4).toString('hex')}`,
    HUBSPOT_RATE_LIMIT: '1000',
    ALERT_FREQUENCY_CAP: '1000000/1',
    EMAIL_RATE_PER_SECOND: '5000',
    RESPONSE_WINDOW_HOURS: '0.0003',
    WORKER_IN_PROCESS: 'false',
  };
  rapport = await startRapport(loadEnv(envVars), createLogger('silent'), {
    temporalAddress: inject('temporalAddress'),
    db,
    hubspotBasePath: sandbox.url,
    hubspotToken: HUBSPOT_TOKEN,
    workerInProcess: false,
    listen: false,
  });

  // The worker as deployed: compiled JavaScript and a workflow bundle built ahead of time (restarts in ~1 s).
  bundleDir = mkdtempSync(join(tmpdir(), 'rapport-chaos-bundle-'));
  const bundlePath = join(bundleDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowsFromSource()).code);
  const entry = await compileEntry(WORKER_PROCESS_ENTRY);
  startWorker = () =>
    startWorkerProcess({
      entry,
      env: envVars,
      config: {
        temporalAddress: inject('temporalAddress'),
        databaseUrl: pg.url,
        schema,
        crmUrl: sandbox.url,
        crmToken: HUBSPOT_TOKEN,
        smtpUrl: catcher.smtpUrl,
        publicUrl: 'http://127.0.0.1:3000',
        bundlePath,
      },
    });
  worker = await startWorker();
});

afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await rapport?.stop();
  await db?.close();
  await pg?.stop();
  await catcher?.close();
  await sandbox?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe('a worker SIGKILLed five times during a 20,000-recipient dispatch', () => {
  it(
    'sends each recipient once or reports it unconfirmed, within concurrency x kills',
    { timeout: 12 * 60_000 },
    async () => {
      const started = Date.now();
      const res = await api('/api/alerts', alertRequest({ lists: listIds, approverGroup: 'alerts' }));
      expect(res.status).toBe(202);
      const alertId = ((await res.json()) as { id: string }).id;
      const pending = await waitForStatus(alertId, ['awaiting_approval'], 180_000);
      expect(pending.audience).toMatchObject({ totalMemberships: MEMBERSHIPS, uniqueContacts });
      const deliveries = pending.audience!.deliveries;
      expect(deliveries).toBe(uniqueContacts);
      log(`audience of ${deliveries} resolved in ${Math.round((Date.now() - started) / 1000)} s; approving`);

      const decision = await api(`/api/alerts/${alertId}/decision`, { approver: APPROVER, decision: 'approve' });
      expect(decision.status).toBe(200);

      // Kill while the catcher's count is rising; restart at once, and wait for sends to rise again before the next.
      const base = catcher.count();
      const sentSoFar = () => catcher.count() - base;
      const kills: { afterSends: number; signal: NodeJS.Signals | null }[] = [];
      for (const step of KILL_AFTER) {
        const from = sentSoFar();
        await eventually(async () => (sentSoFar() >= from + step ? true : undefined), 240_000, 20);
        const afterSends = sentSoFar();
        const { signal } = await worker!.kill();
        kills.push({ afterSends, signal });
        log(`kill ${kills.length} after ${afterSends} sends (${Math.round((Date.now() - started) / 1000)} s)`);
        worker = await startWorker();
      }
      expect(kills.map((k) => k.signal)).toEqual(KILL_AFTER.map(() => 'SIGKILL'));
      // Every kill landed mid-dispatch, with recipients still to go.
      for (const k of kills) expect(k.afterSends).toBeLessThan(deliveries);

      const done = await waitForStatus(alertId, ['completed'], 9 * 60_000);
      log(`completed after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(done.counts)}`);

      // The ledger against the catcher, recipient by recipient.
      const rows = await ledgerRows(db, alertId);
      expect(rows).toHaveLength(deliveries);
      const report = compareLedgerWithCatcher(rows, messagesPerRecipient(catcher, alertId));
      log(`ledger ${JSON.stringify(report.byStatus)}; unconfirmed that did arrive: ${report.unconfirmedDelivered}`);
      expect(report.duplicates).toEqual([]);
      expect(report.unconfirmedResent).toEqual([]);
      expect(report.sentNotOnce).toEqual([]);
      expect(report.strays).toEqual([]);
      // Nobody silently missing: every unique contact has a row (no policy suppressions in this audience, only
      // the overlap's duplicates), and every row is sent or unconfirmed.
      const { DUPLICATE_CONTACT = 0, DUPLICATE_EMAIL = 0, ...policy } = pending.audience!.suppressedByReason;
      expect(DUPLICATE_CONTACT + DUPLICATE_EMAIL).toBe(MEMBERSHIPS - uniqueContacts);
      expect(Object.values(policy).reduce((a, b) => a + b, 0)).toBe(0);
      expect(Object.keys(report.byStatus).sort()).toEqual(
        (report.byStatus.unconfirmed ? ['sent', 'unconfirmed'] : ['sent']).sort(),
      );

      // Unconfirmed within the bound: rows in flight when a worker dies are at most lanes x parallel batches.
      const input = await workflowInput(rapport.temporal, alertId);
      const lanes = await measureSendLanes(envVars, input.batchSize);
      const concurrency = lanes * input.parallelBatches;
      const unconfirmed = report.byStatus.unconfirmed ?? 0;
      log(
        `unconfirmed ${unconfirmed}; bound ${concurrency} (${lanes} lanes x ${input.parallelBatches}) x ${kills.length}`,
      );
      expect(lanes).toBeGreaterThan(0);
      expect(unconfirmed).toBeLessThanOrEqual(concurrency * kills.length);

      // Shown where people look: the API's counts and the requester's final summary.
      expect(done.counts).toMatchObject({
        total: deliveries,
        sent: report.byStatus.sent ?? 0,
        unconfirmed,
        pending: 0,
        sending: 0,
        failed: 0,
      });
      const summary = await finalSummaryText(catcher, alertId, REQUESTER);
      expect(summary).toContain(`Sent: ${report.byStatus.sent ?? 0} (`);
      expect(summary).toContain(`Unconfirmed: ${unconfirmed} (`);
    },
  );
});
