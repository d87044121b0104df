/**
 * Owner digests across a worker restart: the worker process (a child, as deployed) is SIGKILLed in
 * the middle of an owner digest's interval and comes back only after the digest was due, while
 * more responses arrive. The digest must go out once, late, listing every response of its window:
 * none lost, none twice. Real parts: chaos-stack.ts (PostgreSQL, the HubSpot sandbox, the SMTP
 * catcher, Temporal's dev server, the worker as compiled JavaScript in its own process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createOwnerDigestStore } from '../../../store/owner-digests.js';
import { eventually, TEST_SECRET } from '../../../testkit/rapport.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';
import { alertRequest, APPROVER, form, REQUESTER } from './support.js';

const INTERVAL_MS = 10_000;
const FIRST = 2;

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    name: 'digest-restart',
    memberships: 12,
    lists: 1,
    overlap: 0,
    env: {
      OWNER_DIGEST_FIRST: String(FIRST),
      OWNER_DIGEST_INTERVAL: `${INTERVAL_MS / 1000}s`,
      // Open long enough for every response of the test.
      RESPONSE_WINDOW_HOURS: '0.1',
    },
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const digestItems = async (alertId: string) =>
  Number(
    (
      await stack.db.query<{ n: string | number }>(
        `select count(*) as n from owner_digest_items where alert_id = $1 and not immediate`,
        [alertId],
      )
    ).rows[0]!.n,
  );

const unhandled = async (alertId: string) =>
  Number(
    (
      await stack.db.query<{ n: string | number }>(
        `select count(*) as n from responses where alert_id = $1 and handled_at is null`,
        [alertId],
      )
    ).rows[0]!.n,
  );

describe('an owner digest when its worker dies in the middle of the interval', () => {
  it('goes out once, after the restart, with the responses that came before and while the worker was down', async () => {
    const created = await stack.api('/api/alerts', alertRequest({ lists: stack.listIds, replyTo: 'analyst' }));
    expect(created.status).toBe(202);
    const alertId = ((await created.json()) as { id: string }).id;
    await stack.waitForStatus(alertId, ['awaiting_approval'], 120_000);
    expect(
      (await stack.api(`/api/alerts/${alertId}/decision`, { approver: APPROVER, decision: 'approve' })).status,
    ).toBe(200);
    await stack.waitForStatus(alertId, ['following_up'], 120_000);

    const deliveries = createDeliveryStore(stack.db);
    const contacts = (
      await stack.db.query<{ contactId: string }>(
        `select contact_id as "contactId" from deliveries where alert_id = $1 and status = 'sent' order by seq`,
        [alertId],
      )
    ).rows.map((r) => r.contactId);
    expect(contacts.length).toBeGreaterThanOrEqual(10);
    const respond = async (contactId: string) => {
      const row = await deliveries.get(alertId, contactId);
      const res = await stack.rapport.app.request(
        `/r/${signToken(TEST_SECRET, 'response', row!.token)}`,
        form({ a: 'interested' }),
      );
      expect(res.status).toBe(200);
    };
    const toRequester = () => stack.catcher.byRecipient(REQUESTER).filter((m) => m.alertId === alertId);
    const digests = () => toRequester().filter((m) => /more responses? to/.test(m.subject));

    // Eight responses: the first two go to the requester at once, six wait for the digest.
    for (const contactId of contacts.slice(0, 8)) await respond(contactId);
    await eventually(async () => ((await digestItems(alertId)) === 6 ? true : undefined), 60_000, 100);
    // Every response workflow has finished its activities and sleeps on the digest's timer. (An activity in
    // flight at a kill is retried only after its 2-minute start-to-close timeout: later, never lost.)
    await eventually(async () => ((await unhandled(alertId)) === 0 ? true : undefined), 60_000, 100);
    const due = Number(
      (
        await stack.db.query<{ ms: string | number }>(
          `select extract(epoch from max(due_at)) * 1000 as ms from owner_digest_items where alert_id = $1`,
          [alertId],
        )
      ).rows[0]!.ms,
    );
    expect(due - Date.now()).toBeGreaterThan(2_000);

    // Mid-interval the worker dies; it stays down past the digest's due time, and two more answers come in.
    const { signal } = await stack.worker!.kill();
    expect(signal).toBe('SIGKILL');
    for (const contactId of contacts.slice(8, 10)) await respond(contactId);
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 2_000));
    expect(digests()).toEqual([]);
    await stack.startWorker();

    // Once, late, with all eight that waited: the six from before and the two from while it was down.
    const digest = await eventually(async () => digests()[0], 90_000, 250);
    expect(digest.subject).toMatch(/^8 more responses to/);
    expect(Date.parse(digest.receivedAt)).toBeGreaterThanOrEqual(due);
    const text = (await stack.catcher.parsed(digest.id))?.text ?? '';
    expect(text.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(8);

    // Beyond another interval: nothing twice, nobody's response left over.
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 3_000));
    expect(digests()).toHaveLength(1);
    expect(toRequester().filter((m) => m.subject.includes('answered'))).toHaveLength(FIRST);
    expect(await createOwnerDigestStore(stack.db).list(alertId)).toEqual([
      expect.objectContaining({ recipient: REQUESTER, state: 'sent', items: 8 }),
    ]);
    expect(await unhandled(alertId)).toBe(0);
  }, 360_000);

  it('killed during the SMTP call: the digest that reached the mail server is not sent again, and the trail says so', async () => {
    const created = await stack.api('/api/alerts', alertRequest({ lists: stack.listIds, replyTo: 'analyst' }));
    const alertId = ((await created.json()) as { id: string }).id;
    await stack.waitForStatus(alertId, ['awaiting_approval'], 120_000);
    await stack.api(`/api/alerts/${alertId}/decision`, { approver: APPROVER, decision: 'approve' });
    await stack.waitForStatus(alertId, ['following_up'], 120_000);
    const deliveries = createDeliveryStore(stack.db);
    const contacts = (
      await stack.db.query<{ contactId: string }>(
        `select contact_id as "contactId" from deliveries where alert_id = $1 and status = 'sent' order by seq`,
        [alertId],
      )
    ).rows.map((r) => r.contactId);
    for (const contactId of contacts.slice(0, 5)) {
      const row = await deliveries.get(alertId, contactId);
      await stack.rapport.app.request(`/r/${signToken(TEST_SECRET, 'response', row!.token)}`, form({ a: 'not-now' }));
    }
    await eventually(async () => ((await unhandled(alertId)) === 0 ? true : undefined), 60_000, 100);
    expect(await digestItems(alertId)).toBe(3);

    // The mail server takes its time over the digest's data; the worker dies while it waits for the answer.
    stack.catcher.faults.setLatency(15_000);
    const state = async () => (await createOwnerDigestStore(stack.db).list(alertId))[0]?.state;
    await eventually(async () => ((await state()) === 'sending' ? true : undefined), 60_000, 50);
    await stack.worker!.kill();
    stack.catcher.faults.reset();
    await stack.startWorker();

    const digests = () =>
      stack.catcher.byRecipient(REQUESTER).filter((m) => m.alertId === alertId && /more responses? to/.test(m.subject));
    await eventually(async () => digests()[0], 60_000, 250);
    // The claimer's retry (after its activity's 2-minute timeout) finds the digest was on its way: not resent.
    await eventually(async () => ((await state()) === 'unconfirmed' ? true : undefined), 200_000, 500);
    // The trail's event is written just after the state: read it once it is there.
    const trail = await eventually(
      async () => {
        const r = await stack.db.query<{ outcome: string; detail: string }>(
          `select outcome, detail from alert_events where alert_id = $1 and outcome like 'digest%'`,
          [alertId],
        );
        return r.rows.length > 0 ? r : undefined;
      },
      15_000,
      100,
    );
    expect(trail.rows).toEqual([
      expect.objectContaining({ outcome: 'digest_unconfirmed', detail: expect.stringContaining('may or may not') }),
    ]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(digests()).toHaveLength(1);
  }, 420_000);
});
