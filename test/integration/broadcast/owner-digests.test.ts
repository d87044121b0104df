import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createOwnerDigestStore } from '../../../store/owner-digests.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import { approve, BROADCAST_ENV, form, submit, waitForStatus } from './support.js';

/**
 * Owner digests through the real worker, Temporal dev server and SMTP catcher: the owner's first
 * three responses arrive one by one, the other seven in one digest after the (shortened) interval.
 */
let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({
    env: { ...BROADCAST_ENV, OWNER_DIGEST_FIRST: '3', OWNER_DIGEST_INTERVAL: '6s', RESPONSE_WINDOW_HOURS: '0.05' },
  });
});
afterAll(async () => {
  await t?.stop();
});

const KINDS = ['interested', 'not-now', 'call-me'] as const;

describe('owner digests', () => {
  it('10 responses for one owner: 3 messages as they come, then 1 digest listing the other 7', async () => {
    const alertId = await submit(t, { lists: ['1'], replyTo: 'owner' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
    // The owner with the most recipients on the alert; each of their contacts answers up to three ways.
    const { rows } = await t.db.query<{ ownerId: string; n: string | number }>(
      `select owner_id as "ownerId", count(*) as n from deliveries where alert_id = $1 and status = 'sent'
         and owner_id is not null group by 1 order by 2 desc limit 1`,
      [alertId],
    );
    const ownerId = rows[0]!.ownerId;
    const owner = await t.rapport.crm.getOwner(ownerId);
    const ownerEmail = owner!.email!;
    const contacts = (
      await t.db.query<{ contactId: string }>(
        `select contact_id as "contactId" from deliveries where alert_id = $1 and owner_id = $2 and status = 'sent' order by seq`,
        [alertId, ownerId],
      )
    ).rows.map((r) => r.contactId);
    const answers: { contactId: string; kind: (typeof KINDS)[number] }[] = [];
    for (const kind of KINDS) for (const contactId of contacts) answers.push({ contactId, kind });
    expect(answers.length, `${contacts.length} contacts of owner ${ownerId}`).toBeGreaterThanOrEqual(10);

    const deliveries = createDeliveryStore(t.db);
    const sentAt = Date.now();
    for (const a of answers.slice(0, 10)) {
      const row = await deliveries.get(alertId, a.contactId);
      const res = await t.rapport.app.request(
        `/r/${signToken(TEST_SECRET, 'response', row!.token)}`,
        form({ a: a.kind }),
      );
      expect(res.status).toBe(200);
    }

    const toOwner = () => t.smtp.byRecipient(ownerEmail).filter((m) => m.alertId === alertId);
    const digest = await eventually(
      async () => toOwner().find((m) => /more responses? to/.test(m.subject)),
      60_000,
      250,
    );
    expect(digest.subject).toMatch(/^7 more responses to/);
    // Not before the interval: the digest waits for the responses that come during it.
    expect(Date.parse(digest.receivedAt) - sentAt).toBeGreaterThanOrEqual(5_000);
    const text = (await t.smtp.parsed(digest.id))?.text ?? '';
    expect(text.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(7);
    expect(text).toMatch(/\/trail\//);
    expect(text).toContain(`/dashboard/alerts/${alertId}`);

    // Wait beyond a second interval: nothing more arrives, nothing twice.
    await new Promise((r) => setTimeout(r, 8_000));
    const all = toOwner();
    expect(all.filter((m) => m.subject.includes('answered'))).toHaveLength(3);
    expect(all.filter((m) => /more responses? to/.test(m.subject))).toHaveLength(1);
    expect(await createOwnerDigestStore(t.db).list(alertId)).toEqual([
      expect.objectContaining({ recipient: ownerEmail.toLowerCase(), state: 'sent', items: 7 }),
    ]);

    // An eleventh response after the digest went opens the next window: a second digest, of one.
    const eleventh = answers[10];
    if (eleventh) {
      const row = await deliveries.get(alertId, eleventh.contactId);
      await t.rapport.app.request(`/r/${signToken(TEST_SECRET, 'response', row!.token)}`, form({ a: eleventh.kind }));
      const second = await eventually(
        async () => toOwner().find((m) => /^1 more response to/.test(m.subject)),
        30_000,
        250,
      );
      expect(second).toBeDefined();
    }
  }, 150_000);
});
