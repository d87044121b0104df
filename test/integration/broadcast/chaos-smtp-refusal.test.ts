/**
 * Chaos: the SMTP server goes away for 60 seconds in the middle of a dispatch (its listening
 * socket closed, open connections dropped once the message each was carrying is answered: every
 * connection attempt is refused) and then comes
 * back. A refused connection delivered nothing, so those rows go back to pending and are sent
 * when the server answers again: the broadcast finishes with at most one message per recipient,
 * nothing failed, and at most one row per SMTP connection unconfirmed (its answer lost in the drop).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SMTP_POOL } from '../../../channels/email/sender.js';
import { seedBenchLists } from '../../../sandbox/hubspot/index.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { compareLedgerWithCatcher, finalSummaryText, ledgerRows, messagesPerRecipient } from './chaos-support.js';
import { BROADCAST_ENV, getAlert, REQUESTER, submit, waitForStatus, approve } from './support.js';

const MEMBERSHIPS = 3_300;
const OVERLAP = 0.1; // 2,970 unique contacts
const REFUSE_MS = 60_000;
/** The email adapter's pool: the most messages that can be in DATA when the refusal begins. */
const SMTP_CONNECTIONS = DEFAULT_SMTP_POOL.maxConnections;

const log = (line: string) => console.log(`[chaos:smtp-refusal] ${line}`);

let t: TestRapport;
let listIds: string[];
let uniqueContacts: number;

beforeAll(async () => {
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      ALERT_FREQUENCY_CAP: '1000000/1',
      // ~15 s of sending: the outage starts with most of the audience still to go.
      EMAIL_RATE_PER_SECOND: '200',
    },
    rateLimit: 1000,
  });
  ({ listIds, uniqueContacts } = seedBenchLists(t.sandbox.state(), {
    memberships: MEMBERSHIPS,
    lists: 3,
    overlap: OVERLAP,
  }));
});

afterAll(async () => {
  await t?.stop();
});

describe('the SMTP server refusing connections for 60 seconds mid-dispatch', () => {
  it('finishes afterwards with one message per recipient, at most one unconfirmed per connection', async () => {
    const started = Date.now();
    const alertId = await submit(t, { lists: listIds });
    const pending = await waitForStatus(t, alertId, 'awaiting_approval', 120_000);
    const deliveries = pending.audience!.deliveries;
    expect(deliveries).toBe(uniqueContacts);
    await approve(t, alertId);

    const base = t.smtp.count();
    await eventually(async () => (t.smtp.count() - base >= 500 ? true : undefined), 120_000, 20);
    await t.smtp.faults.refuseConnections(REFUSE_MS, { inFlight: 'answer' });
    const refusedAt = Date.now();
    // Messages already in DATA are answered ('answer'); under load their last bytes can land a
    // moment later. Read the count once it has held still for a second.
    let settled = t.smtp.count();
    for (let stillFor = 0; stillFor < 1_000 && Date.now() - refusedAt < 10_000;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = t.smtp.count();
      stillFor = now === settled ? stillFor + 100 : 0;
      settled = now;
    }
    const atRefusal = settled - base;
    log(
      `refusing connections after ${atRefusal} of ${deliveries} sends (${Math.round((refusedAt - started) / 1000)} s)`,
    );
    expect(atRefusal).toBeLessThan(deliveries);

    await t.smtp.faults.accepting();
    const refusedFor = Date.now() - refusedAt;
    // Nothing got through while the server was away.
    expect(t.smtp.count() - base).toBe(atRefusal);
    expect(refusedFor).toBeGreaterThanOrEqual(REFUSE_MS - 1_000);
    // The rows a refused send had claimed went back to pending: none is left in flight or given up on.
    const during = await getAlert(t, alertId);
    log(`accepting again after ${Math.round(refusedFor / 1000)} s; ledger then: ${JSON.stringify(during.counts)}`);

    const done = await waitForStatus(t, alertId, 'completed', 240_000);
    log(
      `completed ${Math.round((Date.now() - refusedAt - refusedFor) / 1000)} s after the server came back: ${JSON.stringify(done.counts)}`,
    );

    const rows = await ledgerRows(t.db, alertId);
    expect(rows).toHaveLength(deliveries);
    const report = compareLedgerWithCatcher(rows, messagesPerRecipient(t.smtp, alertId));
    expect(report.duplicates).toEqual([]);
    expect(report.sentNotOnce).toEqual([]);
    expect(report.strays).toEqual([]);
    // Refused connections delivered nothing: their rows went back to pending and were sent. A message
    // already in DATA is answered before its connection drops, but on a loaded machine the answer can
    // miss the client's wait: that row is unconfirmed (never resent), at most one per SMTP connection.
    const unconfirmed = report.byStatus.unconfirmed ?? 0;
    expect(unconfirmed).toBeLessThanOrEqual(SMTP_CONNECTIONS);
    expect(report.byStatus).toEqual(
      unconfirmed ? { sent: deliveries - unconfirmed, unconfirmed } : { sent: deliveries },
    );
    expect(done.counts).toMatchObject({
      total: deliveries,
      sent: deliveries - unconfirmed,
      unconfirmed,
      failed: 0,
      pending: 0,
    });

    // The refusal really hit the sends: dispatch attempts failed and were retried by Temporal.
    const events = (await t.rapport.temporal.workflow.getHandle(alertId).fetchHistory()).events ?? [];
    const typeOf = new Map(
      events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]),
    );
    const retried = events.filter(
      (e) =>
        (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1 &&
        typeOf.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) === 'dispatchBatch',
    ).length;
    log(`dispatch activities that needed more than one attempt: ${retried}`);
    expect(retried).toBeGreaterThan(0);

    const summary = await finalSummaryText(t.smtp, alertId, REQUESTER);
    expect(summary).toContain(`Sent: ${deliveries - unconfirmed} (`);
    expect(summary).toContain(`Unconfirmed: ${unconfirmed} (`);
  }, 300_000);
});
