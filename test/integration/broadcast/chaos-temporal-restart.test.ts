/**
 * Chaos: the Temporal server dies (SIGKILL) in the middle of a dispatch and comes back on the
 * same port with the same state on disk. Rapport's worker and client are not restarted: they
 * must reconnect by themselves, and the broadcast must finish with every recipient sent exactly
 * once (or unconfirmed within the bound) and the requester's summary sent.
 *
 * A dev server of this file's own (SQLite in a temp dir), not the run's shared in-memory one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBenchLists } from '../../../sandbox/hubspot/index.js';
import { progressQuery } from '../../../workflows/broadcast/shared.js';
import { startDevServer, type DevServer } from '../../../workflows/temporal/dev-server.js';
import { isPortOpen } from '../../../workflows/temporal/free-port.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { DEFAULT_SMTP_POOL } from '../../../channels/email/sender.js';
import { compareLedgerWithCatcher, finalSummaryText, ledgerRows, messagesPerRecipient } from './chaos-support.js';
import { BROADCAST_ENV, getAlert, REQUESTER, submit, waitForStatus, approve } from './support.js';

const MEMBERSHIPS = 3_300;
const OVERLAP = 0.1; // 2,970 unique contacts
/** How long the server stays dead: long enough to fail polls, heartbeats and completions, short of the heartbeat timeout. */
const DOWN_MS = 8_000;
const ENV = {
  ...BROADCAST_ENV,
  ALERT_FREQUENCY_CAP: '1000000/1',
  // ~15 s of sending: the server dies with most of the audience still to go.
  EMAIL_RATE_PER_SECOND: '200',
};

const log = (line: string) => console.log(`[chaos:temporal-restart] ${line}`);

let dataDir: string;
let server: DevServer;
let t: TestRapport;
let listIds: string[];
let uniqueContacts: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-chaos-temporal-'));
  server = await startDevServer({ dataDir, ui: false });
  t = await startTestRapport({ temporalAddress: server.address, env: ENV, rateLimit: 1000 });
  ({ listIds, uniqueContacts } = seedBenchLists(t.sandbox.state(), {
    memberships: MEMBERSHIPS,
    lists: 3,
    overlap: OVERLAP,
  }));
});

afterAll(async () => {
  await t?.stop();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the Temporal server restarted mid-dispatch', () => {
  it('finishes the broadcast: each recipient once, summary sent, worker and client reconnected', async () => {
    const started = Date.now();
    const alertId = await submit(t, { lists: listIds });
    const pending = await waitForStatus(t, alertId, 'awaiting_approval', 120_000);
    const deliveries = pending.audience!.deliveries;
    expect(deliveries).toBe(uniqueContacts);
    await approve(t, alertId);
    const before = await t.rapport.temporal.workflow.getHandle(alertId).describe();

    // Kill the server while sends are rising.
    const base = t.smtp.count();
    await eventually(async () => (t.smtp.count() - base >= 400 ? true : undefined), 120_000, 20);
    const port = Number(server.address.split(':').pop());
    server.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = t.smtp.count() - base;
    await eventually(async () => ((await isPortOpen(port)) ? undefined : true), 10_000, 50);
    log(`server killed after ${atKill} of ${deliveries} sends (${Math.round((killedAt - started) / 1000)} s)`);
    expect(atKill).toBeLessThan(deliveries);

    await new Promise((r) => setTimeout(r, DOWN_MS));
    server = await startDevServer({ dataDir, port, ui: false });
    const back = Date.now();
    const atRestart = t.smtp.count() - base;
    log(`server back after ${Math.round((back - killedAt) / 1000)} s; ${atRestart} sends so far`);
    // Batches in flight went on while the server was away; the rest needs it back.
    expect(atRestart).toBeLessThan(deliveries);

    // The client reconnects by itself: the same run, still there, answering queries.
    const progress = await eventually(
      () =>
        t.rapport.temporal.workflow
          .getHandle(alertId)
          .query(progressQuery)
          .catch(() => undefined),
      60_000,
      500,
    );
    log(`client answered after ${Math.round((Date.now() - back) / 1000)} s: phase ${progress.phase}`);
    // The worker reconnects by itself: sends go on (the progress query above was answered by it, too).
    const resumeFrom = t.smtp.count();
    await eventually(async () => (t.smtp.count() > resumeFrom ? true : undefined), 120_000, 50);
    log(`sends resumed ${Math.round((Date.now() - back) / 1000)} s after the restart`);

    const done = await waitForStatus(t, alertId, 'completed', 240_000);
    log(`completed after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(done.counts)}`);
    // The store says 'completed' from the last activity; the run closes a moment later.
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
    // No worker died, so nothing should be unconfirmed; at worst a timed-out attempt's messages on a connection.
    expect(unconfirmed).toBeLessThanOrEqual(DEFAULT_SMTP_POOL.maxConnections);

    const alert = await getAlert(t, alertId);
    expect(alert.counts).toMatchObject({ total: deliveries, sent: report.byStatus.sent, unconfirmed, pending: 0 });
    const summary = await finalSummaryText(t.smtp, alertId, REQUESTER);
    expect(summary).toContain(`Sent: ${report.byStatus.sent} (`);
    expect(summary).toContain(`Unconfirmed: ${unconfirmed} (`);
  }, 300_000);
});
