/**
 * The worker-kill chaos scenario, shared by the chaos tests that differ in the mail server they
 * send to: an alert to the stack's audience is approved, and its worker process is SIGKILLed
 * several times during the dispatch (restarted at once each time). Then, recipient by recipient:
 *
 * - every recipient has exactly one message at the catcher, or is reported unconfirmed and never
 *   resent; nobody goes missing silently; no duplicates;
 * - each kill leaves at most one row per SMTP connection 'sending' (counted right after the kill,
 *   before anything else runs), and those are exactly the rows reported unconfirmed;
 * - every unconfirmed row's message reached the mail server (the catcher saw its transaction
 *   begin: MAIL FROM with the row's own bounce address), so "unconfirmed" means it may have been
 *   delivered, never that it waited in the worker's queue;
 * - the counts in the API and the requester's final summary say the same.
 */
import { expect } from 'vitest';
import { DEFAULT_SMTP_POOL } from '../../../channels/email/sender.js';
import { eventually } from '../../../testkit/rapport.js';
import type { ChaosStack } from './chaos-stack.js';
import {
  bounceAddress,
  compareLedgerWithCatcher,
  databaseNow,
  finalSummaryText,
  ledgerRows,
  messagesPerRecipient,
  rowsSending,
} from './chaos-support.js';
import { alertRequest, APPROVER, REQUESTER } from './support.js';

export interface KillScenario {
  /** List memberships of the audience (the stack's lists). */
  memberships: number;
  /** Sends at the catcher between kills: the first after the dispatch is well under way. */
  killAfter: number[];
  log(line: string): void;
  /** How long to wait for the alert to complete after the last kill. */
  completeWithinMs: number;
}

export async function killDuringDispatch(stack: ChaosStack, scenario: KillScenario): Promise<void> {
  const { log } = scenario;
  const started = Date.now();
  const res = await stack.api('/api/alerts', alertRequest({ lists: stack.listIds, approverGroup: 'alerts' }));
  expect(res.status).toBe(202);
  const alertId = ((await res.json()) as { id: string }).id;
  const pending = await stack.waitForStatus(alertId, ['awaiting_approval'], 180_000);
  expect(pending.audience).toMatchObject({
    totalMemberships: scenario.memberships,
    uniqueContacts: stack.uniqueContacts,
  });
  const deliveries = pending.audience!.deliveries;
  expect(deliveries).toBe(stack.uniqueContacts);
  log(`audience of ${deliveries} resolved in ${Math.round((Date.now() - started) / 1000)} s; approving`);

  const decision = await stack.api(`/api/alerts/${alertId}/decision`, { approver: APPROVER, decision: 'approve' });
  expect(decision.status).toBe(200);

  // Kill while the catcher's count is rising; restart at once, and wait for sends to rise again before the next.
  const base = stack.catcher.count();
  const sentSoFar = () => stack.catcher.count() - base;
  const kills: { afterSends: number; signal: NodeJS.Signals | null; leftSending: number }[] = [];
  // The worker running now claimed its rows after this (it started before the approval).
  let workerSince = await databaseNow(stack.db);
  for (const step of scenario.killAfter) {
    const from = sentSoFar();
    await eventually(async () => (sentSoFar() >= from + step ? true : undefined), 240_000, 20);
    const afterSends = sentSoFar();
    const { signal } = await stack.worker!.kill();
    // What the dead worker left between claim and outcome (nothing runs on this task queue now); rows an
    // earlier worker left, not yet reported by a retry, were claimed before it started.
    const leftSending = await rowsSending(stack.db, alertId, workerSince);
    kills.push({ afterSends, signal, leftSending });
    log(
      `kill ${kills.length} after ${afterSends} sends (${Math.round((Date.now() - started) / 1000)} s): ` +
        `${leftSending} rows left sending`,
    );
    workerSince = await databaseNow(stack.db);
    await stack.startWorker();
  }
  expect(kills.map((k) => k.signal)).toEqual(scenario.killAfter.map(() => 'SIGKILL'));
  // Every kill landed mid-dispatch, with recipients still to go.
  for (const k of kills) expect(k.afterSends).toBeLessThan(deliveries);
  // At most the messages on the worker's SMTP connections, not the ones queued for them.
  for (const k of kills) expect(k.leftSending).toBeLessThanOrEqual(DEFAULT_SMTP_POOL.maxConnections);

  const done = await stack.waitForStatus(alertId, ['completed'], scenario.completeWithinMs);
  log(`completed after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(done.counts)}`);

  // The ledger against the catcher, recipient by recipient.
  const rows = await ledgerRows(stack.db, alertId);
  expect(rows).toHaveLength(deliveries);
  const report = compareLedgerWithCatcher(rows, messagesPerRecipient(stack.catcher, alertId));
  log(`ledger ${JSON.stringify(report.byStatus)}; unconfirmed that did arrive: ${report.unconfirmedDelivered}`);
  expect(report.duplicates).toEqual([]);
  expect(report.unconfirmedResent).toEqual([]);
  expect(report.sentNotOnce).toEqual([]);
  expect(report.strays).toEqual([]);
  // Nobody silently missing: every unique contact has a row (no policy suppressions in this audience, only
  // the overlap's duplicates), and every row is sent or unconfirmed.
  const { DUPLICATE_CONTACT = 0, DUPLICATE_EMAIL = 0, ...policy } = pending.audience!.suppressedByReason;
  expect(DUPLICATE_CONTACT + DUPLICATE_EMAIL).toBe(scenario.memberships - stack.uniqueContacts);
  expect(Object.values(policy).reduce((a, b) => a + b, 0)).toBe(0);
  expect(Object.keys(report.byStatus).sort()).toEqual(
    (report.byStatus.unconfirmed ? ['sent', 'unconfirmed'] : ['sent']).sort(),
  );

  // Unconfirmed: exactly what the kills left sending, and each of them reached the mail server.
  const unconfirmed = rows.filter((r) => r.status === 'unconfirmed');
  log(
    `unconfirmed ${unconfirmed.length} (per kill: ${kills.map((k) => k.leftSending).join(', ')}; ` +
      `at most ${DEFAULT_SMTP_POOL.maxConnections} each)`,
  );
  expect(unconfirmed).toHaveLength(kills.reduce((n, k) => n + k.leftSending, 0));
  const neverReachedServer = unconfirmed.filter(
    (r) => stack.catcher.mailFromCount(bounceAddress(stack.envVars, r)) === 0,
  );
  expect(neverReachedServer.map((r) => r.address)).toEqual([]);

  // Shown where people look: the API's counts and the requester's final summary.
  expect(done.counts).toMatchObject({
    total: deliveries,
    sent: report.byStatus.sent ?? 0,
    unconfirmed: unconfirmed.length,
    pending: 0,
    sending: 0,
    failed: 0,
  });
  const summary = await finalSummaryText(stack.catcher, alertId, REQUESTER);
  expect(summary).toContain(`Sent: ${report.byStatus.sent ?? 0} (`);
  expect(summary).toContain(`Unconfirmed: ${unconfirmed.length} (`);
}
