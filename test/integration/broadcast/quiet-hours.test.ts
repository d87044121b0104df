import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV, mailFor, submit, waitForStatus, approve } from './support.js';

let t: TestRapport;

/** HH:MM in New York, `deltaMinutes` from now. */
function newYork(deltaMinutes: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(Date.now() + deltaMinutes * 60_000);
}

beforeAll(async () => {
  // Quiet hours that are on right now in New York and end within two minutes.
  t = await startTestRapport({ env: { ...BROADCAST_ENV, ALERT_QUIET_HOURS: `${newYork(-1)}-${newYork(2)}` } });
});
afterAll(async () => {
  await t?.stop();
});

describe('quiet hours', () => {
  it('delay a delivery with a timer until they end in the contact zone, never drop it', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    const pending = await waitForStatus(t, alertId, 'awaiting_approval');
    expect(pending.audience!.delayedByQuietHours).toBeGreaterThan(0);
    const joe = await createDeliveryStore(t.db).get(alertId, DEMO.joe.id);
    expect(joe?.deliverAfter).not.toBeNull();

    await approve(t, alertId);
    // Everyone else goes out now; Joe (New York) waits.
    await eventually(async () => {
      const counts = await createDeliveryStore(t.db).counts(alertId);
      return counts.sent === counts.total - pending.audience!.delayedByQuietHours ? counts : undefined;
    });
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(0);

    const mail = await eventually(async () => mailFor(t, DEMO.joe.email, alertId)[0], 170_000, 1000);
    expect(Date.parse(mail.receivedAt)).toBeGreaterThanOrEqual(Date.parse(joe!.deliverAfter!));
    const done = await createDeliveryStore(t.db).counts(alertId);
    expect(done.sent).toBe(done.total);
  }, 240_000);
});
