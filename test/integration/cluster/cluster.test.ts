/**
 * Rapport on a real Temporal cluster (the server with PostgreSQL persistence and visibility, as
 * `npm run cluster` starts it), not the CLI's dev server: a touch is logged through it, and a
 * broadcast runs to completion while the whole server is SIGKILLed and restarted mid-dispatch;
 * on a cluster with one process per service, while the history service alone is.
 * Rapport's client and worker are not restarted: they reconnect by themselves.
 *
 * Runs wherever the server binaries are installed (`npm run temporal:install-server`, which
 * .ci/run does); skipped with that reason elsewhere, never in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBenchLists } from '../../../sandbox/hubspot/index.js';
import { isPortOpen } from '../../../workflows/temporal/free-port.js';
import { progressQuery } from '../../../workflows/broadcast/shared.js';
import { clusterSkipReason, startTestCluster, type TestCluster } from '../../../testkit/cluster.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import {
  compareLedgerWithCatcher,
  finalSummaryText,
  ledgerRows,
  messagesPerRecipient,
} from '../broadcast/chaos-support.js';
import { measureSendLanes, workflowInput } from './send-bound.js';
import { approve, BROADCAST_ENV, getAlert, REQUESTER, submit, waitForStatus } from '../broadcast/support.js';

const MEMBERSHIPS = 3_300;
const OVERLAP = 0.1; // 2,970 unique contacts
/** Dead long enough to fail polls, heartbeats and completions; short of the send activities' heartbeat timeout. */
const DOWN_MS = 5_000;
const ENV = {
  ...BROADCAST_ENV,
  ALERT_FREQUENCY_CAP: '1000000/1',
  // ~15 s of sending: the server dies with most of the audience still to go.
  EMAIL_RATE_PER_SECOND: '200',
};

const log = (line: string) => console.log(`[cluster] ${line}`);
const skip = clusterSkipReason();

describe.skipIf(skip)(`Rapport on a Temporal cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pg: ScratchPostgres;
  let cluster: TestCluster;
  let t: TestRapport;

  beforeAll(async () => {
    pg = await scratchPostgres();
    const started = Date.now();
    cluster = await startTestCluster({ databaseUrl: pg.url, log });
    log(`cluster at ${cluster.address} ready in ${Math.round((Date.now() - started) / 1000)} s`);
    t = await startTestRapport({ temporalAddress: cluster.address, env: ENV, rateLimit: 1000 });
  });

  afterAll(async () => {
    await t?.stop();
    await cluster?.close();
    await pg?.stop();
  });

  it('logs a touch through the cluster onto the CRM timeline', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: {
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: 'Renewal call, logged through the Temporal cluster',
        loggedBy: 'ana@rapport.example',
      },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await eventually(async () => {
      const body = (await (await t.api(`/api/touches/${id}`)).json()) as {
        status: string;
        engagement?: { id: string };
      };
      return body.status === 'pending' ? undefined : body;
    }, 60_000);
    expect(done.status).toBe('synced');
    const contact = await t.rapport.crm.findContactByEmail(DEMO.joe.email);
    const timeline = await t.rapport.crm.listContactEngagements(contact!.id);
    expect(timeline.find((e) => e.id === done.engagement!.id)?.body).toContain('through the Temporal cluster');
    // The cluster, not some other Temporal, ran it: its history is in the cluster's persistence.
    await t.rapport.temporal.workflow.getHandle(id).result();
    const described = await t.rapport.temporal.workflow.getHandle(id).describe();
    expect(described.status.name).toBe('COMPLETED');
  });

  it(
    'finishes a broadcast while the whole server is SIGKILLed and restarted mid-dispatch',
    { timeout: 300_000 },
    async () => {
      await broadcastThroughRestart(t, 'the whole server', async () => {
        const restarted = cluster.restart({ signal: 'SIGKILL', downMs: DOWN_MS });
        // Really down: the frontend stops answering.
        await eventually(async () => ((await isPortOpen(cluster.ports.grpc.frontend)) ? undefined : true), 10_000, 50);
        await restarted;
      });
    },
  );
});

describe.skipIf(skip)(`one process per Temporal service${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pg: ScratchPostgres;
  let cluster: TestCluster;
  let t: TestRapport;

  beforeAll(async () => {
    pg = await scratchPostgres();
    cluster = await startTestCluster({ databaseUrl: pg.url, layout: 'per-service', log });
    t = await startTestRapport({ temporalAddress: cluster.address, env: ENV, rateLimit: 1000 });
  });

  afterAll(async () => {
    await t?.stop();
    await cluster?.close();
    await pg?.stop();
  });

  it(
    'finishes a broadcast while the history service alone is SIGKILLed and restarted',
    { timeout: 300_000 },
    async () => {
      expect(cluster.pids()).toHaveLength(4);
      await broadcastThroughRestart(t, 'history', async () => {
        const before = cluster.pids();
        await cluster.restart({ service: 'history', signal: 'SIGKILL', downMs: DOWN_MS });
        // Frontend, matching and worker stayed up: three of the four processes are the same ones.
        expect(cluster.pids().filter((pid) => before.includes(pid))).toHaveLength(3);
      });
    },
  );
});

/**
 * A broadcast of 2,970 recipients through `t`; once sends are rising, `restart` kills part or all
 * of the Temporal server and brings it back on the same ports and state. Rapport's client and worker
 * are not restarted: they reconnect by themselves, and the same run completes, every recipient once.
 */
async function broadcastThroughRestart(t: TestRapport, what: string, restart: () => Promise<void>) {
  const { listIds, uniqueContacts } = seedBenchLists(t.sandbox.state(), {
    memberships: MEMBERSHIPS,
    lists: 3,
    overlap: OVERLAP,
  });
  const started = Date.now();
  const alertId = await submit(t, { lists: listIds });
  const pending = await waitForStatus(t, alertId, 'awaiting_approval', 120_000);
  const deliveries = pending.audience!.deliveries;
  expect(deliveries).toBe(uniqueContacts);
  await approve(t, alertId);
  const before = await t.rapport.temporal.workflow.getHandle(alertId).describe();

  // Kill while sends are rising.
  const base = t.smtp.count();
  await eventually(async () => (t.smtp.count() - base >= 400 ? true : undefined), 120_000, 20);
  const atKill = t.smtp.count() - base;
  expect(atKill).toBeLessThan(deliveries);
  await restart();
  const back = Date.now();
  const atRestart = t.smtp.count() - base;
  log(`${what} SIGKILLed after ${atKill} of ${deliveries} sends and back with ${atRestart} sent`);
  // Batches in flight went on while it was away; the rest needs it back.
  expect(atRestart).toBeLessThan(deliveries);

  // The client reconnects by itself: the same run, answering queries (through the worker, which reconnected too).
  const progress = await eventually(
    () =>
      t.rapport.temporal.workflow
        .getHandle(alertId)
        .query(progressQuery)
        .catch(() => undefined),
    60_000,
    500,
  );
  log(`client answered ${Math.round((Date.now() - back) / 1000)} s after the restart: phase ${progress.phase}`);

  const done = await waitForStatus(t, alertId, 'completed', 240_000);
  log(`completed after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(done.counts)}`);
  // The alert row says completed a moment before the workflow itself closes.
  await t.rapport.temporal.workflow.getHandle(alertId).result();
  const after = await t.rapport.temporal.workflow.getHandle(alertId).describe();
  expect(after.runId).toBe(before.runId);
  expect(after.status.name).toBe('COMPLETED');

  const rows = await ledgerRows(t.db, alertId);
  expect(rows).toHaveLength(deliveries);
  const report = compareLedgerWithCatcher(rows, messagesPerRecipient(t.smtp, alertId));
  log(`ledger ${JSON.stringify(report.byStatus)}`);
  expect(report.duplicates).toEqual([]);
  expect(report.unconfirmedResent).toEqual([]);
  expect(report.sentNotOnce).toEqual([]);
  expect(report.strays).toEqual([]);
  const unconfirmed = report.byStatus.unconfirmed ?? 0;
  expect((report.byStatus.sent ?? 0) + unconfirmed).toBe(deliveries);
  // No worker died: at worst a timed-out attempt's rows in flight are unconfirmed.
  const input = await workflowInput(t.rapport.temporal, alertId);
  const concurrency = (await measureSendLanes(ENV, input.batchSize)) * input.parallelBatches;
  expect(unconfirmed).toBeLessThanOrEqual(concurrency);

  const alert = await getAlert(t, alertId);
  expect(alert.counts).toMatchObject({ total: deliveries, sent: report.byStatus.sent, unconfirmed, pending: 0 });
  const summary = await finalSummaryText(t.smtp, alertId, REQUESTER);
  expect(summary).toContain(`Sent: ${report.byStatus.sent} (`);
}
