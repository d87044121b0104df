/**
 * A routine deploy: the worker process gets SIGTERM in the middle of a dispatch. It must claim no
 * new row, finish the sends it has in flight, and exit within WORKER_SHUTDOWN_GRACE_SECONDS,
 * leaving no row 'sending' (so none can end unconfirmed); the rest of the alert goes out from
 * the worker that replaces it, every recipient exactly once at the catcher.
 *
 * The catcher answers each message after 20 ms, so the dispatch of ~2,400 recipients lasts a
 * few seconds and the SIGTERM lands with sends in flight and most rows still to go.
 * Real parts: see chaos-stack.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SMTP_POOL } from '../../../channels/email/sender.js';
import { eventually } from '../../../testkit/rapport.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';
import { compareLedgerWithCatcher, ledgerRows, messagesPerRecipient } from './chaos-support.js';
import { alertRequest, APPROVER } from './support.js';

const MEMBERSHIPS = 3_000;
const OVERLAP = 0.2; // 2,400 unique contacts on 3 lists
const GRACE_SECONDS = 20;

const log = (line: string) => console.log(`[chaos:worker-drain] ${line}`);

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    name: 'chaos-drain',
    memberships: MEMBERSHIPS,
    lists: 3,
    overlap: OVERLAP,
    env: { WORKER_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
  });
  stack.catcher.faults.setLatency(20);
});

afterAll(async () => {
  await stack?.close();
});

const statusCounts = async (alertId: string) => {
  const { rows } = await stack.db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from deliveries where alert_id = $1 group by status`,
    [alertId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
};

describe('a worker stopped with SIGTERM during a dispatch', () => {
  it('finishes its sends in flight, exits within the grace, and leaves nothing unconfirmed', async () => {
    const res = await stack.api('/api/alerts', alertRequest({ lists: stack.listIds, approverGroup: 'alerts' }));
    expect(res.status).toBe(202);
    const alertId = ((await res.json()) as { id: string }).id;
    const pending = await stack.waitForStatus(alertId, ['awaiting_approval'], 120_000);
    const deliveries = pending.audience!.deliveries;
    expect(deliveries).toBe(stack.uniqueContacts);

    const base = stack.catcher.count();
    expect(
      (await stack.api(`/api/alerts/${alertId}/decision`, { approver: APPROVER, decision: 'approve' })).status,
    ).toBe(200);
    await eventually(async () => (stack.catcher.count() - base >= 300 ? true : undefined), 120_000, 20);

    const atSigterm = stack.catcher.count();
    const stopped = await stack.worker!.terminate();
    const afterSigterm = stack.catcher.count() - atSigterm;
    log(
      `SIGTERM after ${atSigterm - base} sends; exited ${stopped.code} in ${stopped.ms} ms, ${afterSigterm} sends later`,
    );
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(GRACE_SECONDS * 1000);
    // No row was claimed after the SIGTERM: what arrived since was on the worker's SMTP connections
    // then; the messages queued for them were withdrawn.
    expect(afterSigterm).toBeLessThanOrEqual(DEFAULT_SMTP_POOL.maxConnections);

    // Nothing was left between claim and outcome, and the dispatch was cut in the middle.
    const atExit = await statusCounts(alertId);
    log(`ledger when the worker was gone: ${JSON.stringify(atExit)}`);
    expect(atExit.sending ?? 0).toBe(0);
    expect(atExit.unconfirmed ?? 0).toBe(0);
    expect(atExit.pending ?? 0).toBeGreaterThan(0);
    // Every row recorded sent reached the catcher: the sends in flight finished before the exit.
    const sentSoFar = (await ledgerRows(stack.db, alertId)).filter((r) => r.status === 'sent');
    const caught = messagesPerRecipient(stack.catcher, alertId);
    expect(sentSoFar.filter((r) => caught.get(r.address) !== 1)).toEqual([]);

    // The replacement worker sends the rest.
    await stack.startWorker();
    const done = await stack.waitForStatus(alertId, ['completed'], 180_000);
    const report = compareLedgerWithCatcher(
      await ledgerRows(stack.db, alertId),
      messagesPerRecipient(stack.catcher, alertId),
    );
    log(`completed: ${JSON.stringify(report.byStatus)}`);
    expect(report.byStatus).toEqual({ sent: deliveries });
    expect(report.duplicates).toEqual([]);
    expect(report.sentNotOnce).toEqual([]);
    expect(report.strays).toEqual([]);
    expect(done.counts).toMatchObject({ total: deliveries, sent: deliveries, unconfirmed: 0, pending: 0 });
  });
});
