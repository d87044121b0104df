import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wallTimeAt, zonedTimeToInstant } from '../../../domain/audience/time-zone.js';
import { nextSlot, type TopicSchedule } from '../../../domain/topics.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createTopicStore } from '../../../store/topics.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, form, htmlOf, linkPath, mailFor, submit, waitForStatus } from './support.js';

/**
 * Announced schedules through the real worker and Temporal dev server. The dev server cannot skip
 * time, so the slots are computed on a compressed clock (the runtime's `slotClock` test hook):
 * one simulated hour passes in one real second from the moment the test sets it, so contacts in
 * New York and elsewhere get their 09:00 local slot seconds apart instead of hours apart. The
 * timers, the ledger and the sends are real.
 */
const SCALE = 3600;
const SCHEDULE: TopicSchedule = { kind: 'daily', time: '09:00' };

const clock = {
  anchor: 0,
  realStart: 0,
  toSlotTime(realMs: number) {
    return this.anchor + (realMs - this.realStart) * SCALE;
  },
  toReal(slotMs: number) {
    return this.realStart + (slotMs - this.anchor) / SCALE;
  },
};

/** Simulated "now": 06:00 in New York today, so New York's 09:00 is three simulated hours (3 s) away. */
function startClock() {
  const wall = wallTimeAt(Date.now(), 'America/New_York');
  clock.anchor = zonedTimeToInstant({ ...wall, hour: 6, minute: 0, second: 0 }, 'America/New_York');
  clock.realStart = Date.now();
}

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({ env: { ...BROADCAST_ENV, ANNOUNCED_SCHEDULES: 'on' }, slotClock: clock });
  const topics = createTopicStore(t.db);
  await topics.upsert({
    id: 'sched-morning',
    name: 'Morning rates',
    description: 'Rates at 09:00 your time',
    defaultChannels: ['email'],
    schedule: SCHEDULE,
    urgentAllowed: true,
  });
  await topics.upsert({
    id: 'sched-strict',
    name: 'Strictly scheduled',
    description: 'Never urgent',
    defaultChannels: ['email'],
    schedule: SCHEDULE,
    urgentAllowed: false,
  });
});
afterAll(async () => {
  await t?.stop();
});

const decide = (alertId: string, body: Record<string, unknown>) =>
  t.api(`/api/alerts/${alertId}/decision`, {
    method: 'POST',
    json: { approver: APPROVER, decision: 'approve', ...body },
  });

describe('announced schedules', () => {
  it('send each contact at the slot of their own time zone, one timer per distinct slot', async () => {
    const alertId = await submit(t, { topic: 'sched-morning' });
    const pending = await waitForStatus(t, alertId, 'awaiting_approval');
    const deliveries = createDeliveryStore(t.db);
    const rows = await deliveries.pendingInBatch(alertId, 0, 10_000);
    const zones = [...new Set(rows.map((r) => r.timeZone ?? 'UTC'))];
    // The demo list spans several time zones (New York among them): the point of the test.
    expect(zones.length).toBeGreaterThan(1);
    expect(zones).toContain('America/New_York');
    // The preview says when, per local day.
    expect(JSON.stringify(pending.audience)).toContain('"timing"');

    startClock();
    const res = await decide(alertId, {});
    expect(res.status).toBe(200);
    const from = clock.toSlotTime(Date.now());
    const slotOf = (zone: string) => clock.toReal(nextSlot(SCHEDULE, zone, new Date(from))!.getTime());

    // Held, not sent: New York (slot ~3 s away) and every zone with a later slot have nothing yet.
    await eventually(async () => ((await deliveries.nextDeferred(alertId)) ? true : undefined), 10_000, 100);
    const notYet = rows.filter((r) => slotOf(r.timeZone ?? 'UTC') > Date.now() + 1_000);
    expect(notYet.map((r) => r.timeZone)).toContain('America/New_York');
    expect(notYet.flatMap((r) => mailFor(t, r.address, alertId))).toHaveLength(0);

    await waitForStatus(t, alertId, ['following_up', 'completed'], 60_000);
    for (const row of rows) {
      const [mail] = mailFor(t, row.address, alertId);
      expect(mail, `mail to ${row.contactId}`).toBeDefined();
      const slot = slotOf(row.timeZone ?? 'UTC');
      // At its own slot: not before it (1 s for the store's and the catcher's clocks), and not much after.
      expect(Date.parse(mail!.receivedAt)).toBeGreaterThanOrEqual(slot - 1_000);
      expect(Date.parse(mail!.receivedAt)).toBeLessThan(slot + 8_000);
    }
    // Contacts whose slots differ by hours (seconds here) were not sent together.
    const ny = rows.filter((r) => r.timeZone === 'America/New_York');
    const later = rows.filter((r) => slotOf(r.timeZone ?? 'UTC') - slotOf('America/New_York') >= 3_000);
    expect(ny.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
    const nyLast = Math.max(...ny.map((r) => Date.parse(mailFor(t, r.address, alertId)[0]!.receivedAt)));
    const laterFirst = Math.min(...later.map((r) => Date.parse(mailFor(t, r.address, alertId)[0]!.receivedAt)));
    expect(laterFirst).toBeGreaterThan(nyLast);

    // One timer per distinct slot instant (then the response window's), and each pass visits only
    // the batch with rows due: the history grows with the number of slots, not with contacts x passes.
    const distinctSlots = new Set(zones.map(slotOf)).size;
    // A slot that is exactly the approval's instant (a zone where it is 09:00 then) is due at once: no timer.
    const dueAtOnce = new Set(zones.map(slotOf).filter((at) => at <= clock.toReal(from))).size;
    const history = await t.rapport.temporal.workflow.getHandle(alertId).fetchHistory();
    const events = history.events ?? [];
    // holdForSlots, or (runs with customer digests) holdForSlotsAndDigests: the same hold, digests in it.
    const held = events.findIndex((e) =>
      ['holdForSlots', 'holdForSlotsAndDigests'].includes(
        e.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
      ),
    );
    expect(held).toBeGreaterThan(0);
    const after = events.slice(held);
    // At most: a slot already due when the workflow comes to it (a slow pass on a loaded machine, where an
    // hour is a second) needs no timer, and two slots due by then go out in one pass.
    expect(after.filter((e) => e.timerStartedEventAttributes).length).toBeLessThanOrEqual(
      distinctSlots - dueAtOnce + 1,
    );
    const dispatches = after.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'dispatchBatch',
    ).length;
    expect(dispatches).toBeLessThanOrEqual(distinctSlots);
    expect(dispatches).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('urgent goes to everyone at once, and is audited', async () => {
    const alertId = await submit(t, { topic: 'sched-morning' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    startClock();
    const approvedAt = Date.now();
    const res = await decide(alertId, { urgent: true });
    expect(res.status).toBe(200);
    await waitForStatus(t, alertId, ['following_up', 'completed'], 30_000);
    const rows = await eventually(async () => {
      const { rows } = await t.db.query<{ address: string }>(`select address from deliveries where alert_id = $1`, [
        alertId,
      ]);
      return rows.length ? rows : undefined;
    });
    for (const row of rows) {
      const [mail] = mailFor(t, row.address, alertId);
      // Before even New York's slot (3 s after approval): sent at once.
      expect(Date.parse(mail!.receivedAt)).toBeLessThan(approvedAt + 3_000);
    }
    const audit = await t.db.query<{ detail: string | null }>(
      `select detail from approval_audit where alert_id = $1 and action = 'approve' and outcome = 'accepted'`,
      [alertId],
    );
    expect(audit.rows[0]?.detail).toMatch(/urgent/);
    const trail = await (await t.api(`/api/alerts/${alertId}/trail`)).text();
    expect(trail).toMatch(/urgent/);
  }, 60_000);

  it('the approval email and the signed-link page say when, and the page offers urgent', async () => {
    const alertId = await submit(t, { topic: 'sched-morning' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    const mail = await eventually(async () => mailFor(t, APPROVER, alertId)[0]);
    const html = await htmlOf(t, mail.id);
    expect(html).toMatch(/When<\/td><td[^>]*>\d+ at 09:00 local time on \w{3} \d{1,2} \w{3}/);
    expect(html).toContain('now if marked urgent');
    const path = linkPath(html, /\/approvals\//);
    const page = await (await t.rapport.app.request(path)).text();
    expect(page).toMatch(/When: \d+ at 09:00 local time/);
    expect(page).toContain('name="urgent"');

    startClock();
    const approvedAt = Date.now();
    const done = await t.rapport.app.request(path, form({ decision: 'approve', urgent: 'on' }));
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/goes out: \d+ now \(urgent\)/);
    await waitForStatus(t, alertId, ['following_up', 'completed'], 30_000);
    const { rows } = await t.db.query<{ address: string }>(`select address from deliveries where alert_id = $1`, [
      alertId,
    ]);
    for (const row of rows) {
      expect(Date.parse(mailFor(t, row.address, alertId)[0]!.receivedAt)).toBeLessThan(approvedAt + 3_000);
    }
    const audit = await t.db.query<{ source: string; detail: string | null }>(
      `select source, detail from approval_audit where alert_id = $1 and action = 'approve' and outcome = 'accepted'`,
      [alertId],
    );
    expect(audit.rows[0]).toMatchObject({ source: 'link', detail: expect.stringMatching(/urgent/) });
  }, 60_000);

  it('urgent on a topic that does not allow it is a 400 naming the field, and the alert stays decidable', async () => {
    const alertId = await submit(t, { topic: 'sched-strict' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    // Its confirmation page does not offer urgent at all.
    const mail = await eventually(async () => mailFor(t, APPROVER, alertId)[0]);
    const page = await (await t.rapport.app.request(linkPath(await htmlOf(t, mail.id), /\/approvals\//))).text();
    expect(page).not.toContain('name="urgent"');
    const refused = await decide(alertId, { urgent: true });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { field?: string } }).error.field).toBe('urgent');
    startClock();
    expect((await decide(alertId, {})).status).toBe(200);
    await waitForStatus(t, alertId, 'dispatching');
  }, 60_000);
});
