/**
 * The frequency cap across worker processes (issue 11): a per-topic cap of 1
 * (`ALERT_FREQUENCY_CAP=...;rates=1/168`) and two "rates" alerts to the same customers, both
 * resolved before either is approved, then approved at the same moment and sent by two worker
 * processes at once. Judged per batch without a lock, most customers got both; decided under
 * each contact's claim, every customer gets exactly one of the two, counted at the SMTP catcher.
 *
 * Real parts: the shared Temporal dev server, PostgreSQL (worker processes cannot share PGlite),
 * the HubSpot sandbox, the SMTP catcher, two Rapport APIs in this process, each starting its
 * alerts on a task queue of its own, and on each queue one Rapport worker as compiled JavaScript in
 * a child process of its own: the first alert is sent only by the first worker, the second only
 * by the second. Small batches (ALERT_BATCH_SIZE 25, four in flight per alert) interleave the two
 * alerts' batches over the same customers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileEntry } from '../../../bench/support/compile-entry.js';
import { loadEnv } from '../../../config/env.js';
import { createLogger } from '../../../main/logger.js';
import { startRapport, type RapportRuntime } from '../../../main/runtime.js';
import { seedBenchLists, startHubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { openDb, type Db } from '../../../store/db.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { startPeopleTokens, type PeopleTokens } from '../../../testkit/people.js';
import { eventually, TEST_API_TOKEN, TEST_SECRET, type Sandbox } from '../../../testkit/rapport.js';
import { startWorkerProcess, WORKER_PROCESS_ENTRY, type WorkerProcess } from '../../../testkit/worker-child.js';
import { bundleWorkflowsFromSource } from '../../../workflows/worker.js';
import { ledgerRows, messagesPerRecipient } from './chaos-support.js';
import { alertRequest, APPROVER, BROADCAST_ENV, type AlertBody } from './support.js';

const HUBSPOT_TOKEN = 'cap-workers-token';
const CUSTOMERS = 200;
const DOMAIN = 'cap-workers.example';

const log = (line: string) => console.log(`[cap:workers] ${line}`);

let pg: ScratchPostgres;
let db: Db;
let sandbox: Sandbox;
let catcher: SmtpCatcher;
let listIds: string[];
let bundleDir: string;
const apis: RapportRuntime[] = [];
const workers: WorkerProcess[] = [];

let people: PeopleTokens;
const call = async (rapport: RapportRuntime, path: string, json?: unknown) =>
  rapport.app.request(path, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { authorization: await people.authorization(json, TEST_API_TOKEN), 'content-type': 'application/json' },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
const getAlert = async (rapport: RapportRuntime, id: string) =>
  (await (await call(rapport, `/api/alerts/${id}`)).json()) as AlertBody;
const waitForStatus = (rapport: RapportRuntime, id: string, wanted: string[], timeoutMs: number) =>
  eventually(
    async () => {
      const alert = await getAlert(rapport, id);
      return wanted.includes(alert.status) ? alert : undefined;
    },
    timeoutMs,
    250,
  );

beforeAll(async () => {
  people = await startPeopleTokens();
  pg = await scratchPostgres();
  const schema = `capworkers_${randomBytes(5).toString('hex')}`;
  db = await openDb({ databaseUrl: pg.url, schema });
  sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: HUBSPOT_TOKEN,
    rateLimit: { perTenSeconds: 100_000, searchPerSecond: 50, daily: 10_000_000 },
  });
  ({ listIds } = seedBenchLists(sandbox.state(), { memberships: CUSTOMERS, lists: 1, overlap: 0, domain: DOMAIN }));
  catcher = await startSmtpCatcher({ keepBodies: 20 });

  const bundlePath = join((bundleDir = mkdtempSync(join(tmpdir(), 'rapport-cap-bundle-'))), 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowsFromSource()).code);
  const entry = await compileEntry(WORKER_PROCESS_ENTRY);
  const run = randomBytes(4).toString('hex');
  // One API and one worker process per task queue; everything else shared, as between two deployments' processes.
  for (const n of [1, 2]) {
    const envVars = {
      ...BROADCAST_ENV,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      API_TOKENS: TEST_API_TOKEN,
      ...people.env,
      RAPPORT_SECRET: TEST_SECRET,
      SMTP_URL: catcher.smtpUrl,
      TEMPORAL_TASK_QUEUE: `cap-workers-${run}-${n}`,
      HUBSPOT_RATE_LIMIT: '1000',
      // As the user in issue 11 set it: at most one "rates" alert per contact a week.
      ALERT_FREQUENCY_CAP: '1000/168;rates=1/168',
      ALERT_BATCH_SIZE: '25',
      EMAIL_RATE_PER_SECOND: '2000',
      RESPONSE_WINDOW_HOURS: '0.0003',
      WORKER_IN_PROCESS: 'false',
    };
    apis.push(
      await startRapport(loadEnv(envVars), createLogger('silent'), {
        temporalAddress: inject('temporalAddress'),
        db,
        hubspotBasePath: sandbox.url,
        hubspotToken: HUBSPOT_TOKEN,
        workerInProcess: false,
        listen: false,
      }),
    );
    workers.push(
      await startWorkerProcess({
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
      }),
    );
  }
});

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  for (const r of apis) await r.stop();
  await db?.close();
  await pg?.stop();
  await catcher?.close();
  await sandbox?.close();
  await people?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe('two alerts on one topic with a per-topic cap of 1, approved at the same moment', () => {
  it('sent by two worker processes: every customer receives exactly one of them', { timeout: 5 * 60_000 }, async () => {
    const [api1, api2] = apis as [RapportRuntime, RapportRuntime];
    const submit = async (api: RapportRuntime, title: string) => {
      const res = await call(api, '/api/alerts', alertRequest({ lists: listIds, topic: 'rates', title }));
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const first = await submit(api1, 'Rates move: fixed deposits up 0.25%');
    const second = await submit(api2, 'Rates move: savings accounts up 0.10%');
    // Both resolved before either is approved: neither counts the other yet.
    const [a, b] = await Promise.all([
      waitForStatus(api1, first, ['awaiting_approval'], 120_000),
      waitForStatus(api2, second, ['awaiting_approval'], 120_000),
    ]);
    for (const alert of [a, b]) {
      expect(alert.audience).toMatchObject({ uniqueContacts: CUSTOMERS, deliveries: CUSTOMERS });
      expect(alert.audience!.suppressedByReason.FREQUENCY_CAP ?? 0).toBe(0);
    }

    const decisions = await Promise.all([
      call(api1, `/api/alerts/${first}/decision`, { approver: APPROVER, decision: 'approve' }),
      call(api2, `/api/alerts/${second}/decision`, { approver: APPROVER, decision: 'approve' }),
    ]);
    expect(decisions.map((d) => d.status)).toEqual([200, 200]);
    const [doneA, doneB] = await Promise.all([
      waitForStatus(api1, first, ['completed'], 180_000),
      waitForStatus(api2, second, ['completed'], 180_000),
    ]);

    // At the catcher, customer by customer: one message of the two alerts, never both, never none.
    const ofFirst = messagesPerRecipient(catcher, first);
    const ofSecond = messagesPerRecipient(catcher, second);
    const perCustomer = Array.from({ length: CUSTOMERS }, (_, n) => {
      const address = `bench.${n}@${DOMAIN}`;
      return { address, first: ofFirst.get(address) ?? 0, second: ofSecond.get(address) ?? 0 };
    });
    const both = perCustomer.filter((c) => c.first > 0 && c.second > 0);
    const none = perCustomer.filter((c) => c.first + c.second === 0);
    const doubled = perCustomer.filter((c) => c.first > 1 || c.second > 1);
    log(
      `first alert reached ${ofFirst.size}, second ${ofSecond.size}; ` +
        `both: ${both.length}, none: ${none.length}, doubled: ${doubled.length} of ${CUSTOMERS}`,
    );
    expect(both).toEqual([]);
    expect(doubled).toEqual([]);
    expect(none).toEqual([]);
    expect(ofFirst.size + ofSecond.size).toBe(CUSTOMERS);

    // The ledger and what people see agree with the catcher: sent rows are what arrived, the
    // rest left each alert as "frequency cap reached" at send time.
    const [rowsA, rowsB] = [await ledgerRows(db, first), await ledgerRows(db, second)];
    expect(
      rowsA
        .filter((r) => r.status === 'sent')
        .map((r) => r.address)
        .sort(),
    ).toEqual([...ofFirst.keys()].sort());
    expect(
      rowsB
        .filter((r) => r.status === 'sent')
        .map((r) => r.address)
        .sort(),
    ).toEqual([...ofSecond.keys()].sort());
    expect(rowsA.length + rowsB.length).toBe(CUSTOMERS);
    for (const [done, reached] of [
      [doneA, ofFirst.size],
      [doneB, ofSecond.size],
    ] as const) {
      expect(done.counts).toMatchObject({ sent: reached, total: reached, failed: 0, unconfirmed: 0 });
      expect(done.audience).toMatchObject({ deliveries: reached });
      expect(done.audience!.suppressedByReason.FREQUENCY_CAP).toBe(CUSTOMERS - reached);
    }
    const { rows: suppressed } = await db.query<{ n: number; atSend: number }>(
      `select count(*)::int as n, count(*) filter (where detail like 'at send time:%topic cap is 1')::int as "atSend"
       from alert_suppressions where alert_id = any($1::text[]) and reason = 'FREQUENCY_CAP'`,
      [[first, second]],
    );
    expect(suppressed[0]).toEqual({ n: CUSTOMERS, atSend: CUSTOMERS });
  });
});
