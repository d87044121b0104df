import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV, getAlert, submit, waitForStatus, approve } from './support.js';

let t: TestRapport;

beforeAll(async () => {
  // Tiny batches and a tiny history budget, so a 200-recipient dispatch continues as new several times.
  t = await startTestRapport({ env: { ...BROADCAST_ENV, ALERT_BATCH_SIZE: '5', ALERT_HISTORY_EVENTS: '60' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('a long dispatch', () => {
  it('continues as new within its history budget and still sends each recipient exactly once', async () => {
    const alertId = await submit(t, { lists: ['2'] });
    const pending = await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed'], 150_000);

    const alert = await getAlert(t, alertId);
    expect(alert.counts.sent).toBe(pending.audience!.deliveries);
    const mails = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId);
    expect(mails).toHaveLength(pending.audience!.deliveries);
    expect(t.smtp.duplicates().filter((d) => d.alertId === alertId)).toEqual([]);

    const runs = await eventually(async () => {
      const found = [];
      for await (const w of t.rapport.temporal.workflow.list({ query: `WorkflowId = '${alertId}'` })) found.push(w);
      return found.length > 2 ? found : undefined;
    });
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run.historyLength).toBeLessThan(200);
  });
});
