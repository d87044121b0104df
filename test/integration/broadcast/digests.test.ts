/**
 * Customer digests through the real worker and Temporal dev server: 1,000 contacts, 300 in daily
 * digest mode for the topic, 200 weekly, 100 with the topic off, the rest as it happens; three
 * alerts approved the same (simulated) evening. The dev server cannot skip time, so the slots are
 * computed on a compressed clock (`slotClock`, as broadcast/announced-schedules.test.ts does):
 * three simulated hours pass per real second, so Sunday 09:00 (the daily slot) and Monday 09:00
 * (the week's first slot) fall seconds apart. Timers, ledger, sends and CRM logging are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestSlot } from '../../../domain/digests.js';
import { EMPTY_PREFERENCES, type DeliveryMode } from '../../../domain/preferences.js';
import type { TopicSchedule } from '../../../domain/topics.js';
import { seedBenchLists } from '../../../sandbox/hubspot/index.js';
import { createPreferenceStore } from '../../../store/preferences.js';
import { createTopicStore } from '../../../store/topics.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { recordHistory } from '../../fixtures/histories.js';
import { APPROVER, BROADCAST_ENV, submit, waitForStatus } from './support.js';

const SCALE = 3 * 3600;
const TOPIC = 'dg-rates';
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

/** Simulated "now": Saturday 22:00 UTC: the daily digest is Sunday 09:00, the weekly one Monday 09:00. */
function startClock() {
  const now = new Date();
  const back = (now.getUTCDay() + 1) % 7; // days since the last Saturday
  clock.anchor = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back, 22, 0, 0);
  clock.realStart = Date.now();
}

let t: TestRapport;
const contacts: { id: string; email: string; mode: DeliveryMode | 'off' }[] = [];
let listId = '';

beforeAll(async () => {
  t = await startTestRapport({ env: { ...BROADCAST_ENV, ANNOUNCED_SCHEDULES: 'on' }, slotClock: clock });
  await createTopicStore(t.db).upsert({
    id: TOPIC,
    name: 'Rates digest topic',
    description: 'Rates at 09:00 your time',
    defaultChannels: ['email'],
    schedule: SCHEDULE,
    urgentAllowed: false,
  });
  const seeded = seedBenchLists(t.sandbox.state(), {
    memberships: 1_000,
    lists: 1,
    overlap: 0,
    firstListId: 7701,
    domain: 'digest.example',
  });
  listId = seeded.listIds[0]!;
  const list = t.sandbox.state().lists.find((l) => l.listId === listId)!;
  const prefs = createPreferenceStore(t.db);
  for (const [i, m] of list.members.entries()) {
    const mode: DeliveryMode | 'off' = i < 300 ? 'daily' : i < 500 ? 'weekly' : i < 600 ? 'off' : 'immediate';
    const record = t.sandbox.records('contacts').find((c) => c.id === m.recordId)!;
    contacts.push({ id: m.recordId, email: String(record.properties.email), mode });
    if (mode === 'immediate') continue;
    await prefs.save(m.recordId, {
      ...EMPTY_PREFERENCES,
      topics: {
        [TOPIC]: { enabled: mode !== 'off', channel: null, delivery: mode === 'off' ? 'immediate' : mode },
      },
    });
  }
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const decide = (alertId: string) =>
  t.api(`/api/alerts/${alertId}/decision`, { method: 'POST', json: { approver: APPROVER, decision: 'approve' } });

describe('customer digests', () => {
  it('immediate contacts get each alert, daily ones one digest of three at their slot, weekly ones at the week slot', async () => {
    const alertIds: string[] = [];
    for (const n of [1, 2, 3]) {
      alertIds.push(await submit(t, { topic: TOPIC, lists: [listId], title: `Digest alert ${n}: rates <move>` }));
    }
    for (const id of alertIds) {
      const pending = await waitForStatus(t, id, 'awaiting_approval', 60_000);
      // The topic-off contacts are suppressed at resolution with their own reason.
      expect(pending.audience?.suppressedByReason.TOPIC_OFF).toBe(100);
      expect(pending.audience?.deliveries).toBe(900);
      // The preview says who waits for a digest, apart from the 400 at the announced slot.
      const timing = (pending.audience as { timing?: { digests?: unknown; timeZones: Record<string, number> } }).timing;
      expect(timing?.digests).toEqual({ daily: 300, weekly: 200 });
      expect(Object.values(timing?.timeZones ?? {}).reduce((a, b) => a + b, 0)).toBe(400);
    }

    startClock();
    for (const id of alertIds) expect((await decide(id)).status).toBe(200);
    const from = new Date(clock.toSlotTime(Date.now()));
    const daily = clock.toReal(digestSlot('daily', SCHEDULE, 'UTC', from).getTime());
    const weekly = clock.toReal(digestSlot('weekly', SCHEDULE, 'UTC', from).getTime());
    expect(weekly - daily).toBeGreaterThan(6_000);

    // Held, not sent: the digest rows wait in their own status, visible in the counts, the funnel and the trail.
    const first = alertIds[0]!;
    const held = await eventually(async () => {
      const alert = (await (await t.api(`/api/alerts/${first}`)).json()) as { counts: Record<string, number> };
      return (alert.counts.digest ?? 0) === 500 ? alert : undefined;
    }, 20_000);
    expect(held.counts.digest).toBe(500);
    const digestEntries: { outcome: string | null; detail: string | null }[] = [];
    for (let url: string | undefined = `/api/alerts/${first}/trail`; url;) {
      const page = (await (await t.api(url)).json()) as {
        entries: { step: string; outcome: string | null; detail: string | null }[];
        next: { url: string } | null;
      };
      digestEntries.push(...page.entries.filter((e) => e.step === 'delivery' && e.outcome === 'digest'));
      url = page.next?.url;
    }
    expect(digestEntries).toHaveLength(500);
    expect(digestEntries.every((e) => /waiting for the contact's (daily|weekly) digest/.test(e.detail ?? ''))).toBe(
      true,
    );

    // Every alert finishes once the weekly digests went out.
    for (const id of alertIds) await waitForStatus(t, id, ['following_up', 'completed'], 90_000);

    const reached = contacts.filter((c) => c.mode !== 'off');
    for (const c of contacts) {
      const mail = t.smtp.byRecipient(c.email);
      if (c.mode === 'off') {
        expect(mail, c.email).toHaveLength(0);
        continue;
      }
      if (c.mode === 'immediate') {
        expect(mail.map((m) => m.alertId).sort(), c.email).toEqual([...alertIds].sort());
        continue;
      }
      // One digest, nothing per alert, at the contact's slot (1 s for the clocks; not much after).
      expect(mail, c.email).toHaveLength(1);
      const [digest] = mail;
      expect(digest!.alertId).toMatch(/^digest-/);
      const at = Date.parse(digest!.receivedAt);
      const slot = c.mode === 'daily' ? daily : weekly;
      expect(at, `${c.mode} ${c.email}`).toBeGreaterThanOrEqual(slot - 1_000);
      expect(at, `${c.mode} ${c.email}`).toBeLessThan(slot + 15_000);
    }
    // Each digest lists the three alerts, each with links naming its own ledger row.
    const sample = contacts.filter((c) => c.mode === 'daily' || c.mode === 'weekly').slice(0, 500);
    for (const c of sample.filter((_, i) => i % 25 === 0)) {
      const [digest] = t.smtp.byRecipient(c.email);
      const parsed = await t.smtp.parsed(digest!.id);
      const html = typeof parsed?.html === 'string' ? parsed.html : '';
      for (const id of alertIds) expect(html).toContain(`data-alert-id="${id}"`);
      expect(html).toContain('Digest alert 3: rates &lt;move&gt;');
      expect(html.match(/\/r\/[^"?]+\?a=interested/g)).toHaveLength(3);
    }
    expect(t.smtp.duplicates()).toEqual([]);

    // The ledger: every reached row sent once; the 500 digests are one record each, all sent.
    const { rows: statuses } = await t.db.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from deliveries where alert_id = any($1::text[]) group by status`,
      [alertIds],
    );
    expect(Object.fromEntries(statuses.map((r) => [r.status, r.n]))).toEqual({ sent: 2_700 });
    const { rows: records } = await t.db.query<{ state: string; rows: number; n: number }>(
      `select state, rows, count(*)::int as n from customer_digests group by state, rows`,
    );
    expect(records).toEqual([{ state: 'sent', rows: 3, n: 500 }]);

    // Three CRM timeline entries per contact reached: one email engagement per alert x contact.
    await eventually(
      async () => {
        const keys = new Set(
          t.sandbox
            .records('emails')
            .map((e) => e.properties.rapport_idempotency_key)
            .filter((k): k is string => typeof k === 'string' && alertIds.some((id) => k.startsWith(`${id}:`))),
        );
        return keys.size === reached.length * 3 ? keys : undefined;
      },
      30_000,
      500,
    );
    const keys = t.sandbox.records('emails').map((e) => e.properties.rapport_idempotency_key);
    for (const c of reached.filter((_, i) => i % 50 === 0)) {
      for (const id of alertIds)
        expect(
          keys.filter((k) => k === `${id}:${c.id}`),
          `${id}:${c.id}`,
        ).toHaveLength(1);
    }

    // RECORD_HISTORIES=1: the replay test's histories of a digest run and of an alert with digest rows.
    if (process.env.RECORD_HISTORIES === '1') {
      await waitForStatus(t, first, 'completed', 60_000);
      await recordHistory(t.rapport.temporal, first, { variant: 'digests' });
      const runs = t.rapport.temporal.workflow.list({ query: `WorkflowType = 'customerDigest'` });
      for await (const run of runs) {
        await recordHistory(t.rapport.temporal, run.workflowId);
        break;
      }
    }
  }, 150_000);
});
