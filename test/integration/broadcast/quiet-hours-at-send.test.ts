import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV, approve, mailFor, submit, waitForStatus } from './support.js';

let t: TestRapport;

/** HH:MM in New York at an instant (New York's offset is whole hours, so its minutes start with UTC's). */
const newYork = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

// Quiet hours that begin at a minute boundary at least 15 s away (time to resolve the audience) and last a minute.
const quietStart = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
const quietEnd = quietStart + 60_000;

beforeAll(async () => {
  t = await startTestRapport({
    env: { ...BROADCAST_ENV, ALERT_QUIET_HOURS: `${newYork(quietStart)}-${newYork(quietEnd)}` },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('quiet hours that begin between resolution and approval', () => {
  it('hold the delivery back at send time until they end, never drop it', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    const store = createDeliveryStore(t.db);
    // Resolved in the afternoon: nothing held yet.
    expect((await store.get(alertId, DEMO.joe.id))?.deliverAfter).toBeNull();

    // Approved at night.
    await new Promise((r) => setTimeout(r, Math.max(0, quietStart - Date.now()) + 1_000));
    await approve(t, alertId);
    const held = await eventually(async () => {
      const joe = await store.get(alertId, DEMO.joe.id);
      return joe?.deliverAfter ? joe : undefined;
    });
    expect(held.status).toBe('pending');
    expect(Date.parse(held.deliverAfter!)).toBe(quietEnd);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(0);

    const mail = await eventually(async () => mailFor(t, DEMO.joe.email, alertId)[0], 150_000, 1000);
    expect(Date.parse(mail.receivedAt)).toBeGreaterThanOrEqual(quietEnd);
    const done = await store.counts(alertId);
    expect(done.sent).toBe(done.total);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(1);
  }, 240_000);
});
