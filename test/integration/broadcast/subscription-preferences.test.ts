import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO } from '../../../testkit/demo-data.js';
import {
  eventually,
  SANDBOX_TEST_TOKEN,
  startTestRapport,
  TEST_SECRET,
  type TestRapport,
} from '../../../testkit/rapport.js';
import { alertRequest, approve, BROADCAST_ENV, getAlert, mailFor, submit, waitForStatus } from './support.js';

// HubSpot's communication preferences, end to end: the real client against the sandbox's v4/v3
// endpoints, a real alert through Temporal and SMTP. Topic `rates` is sent under the sandbox's
// "Account Alerts" subscription type (1004); every other topic under "all email".
const ACCOUNT_ALERTS = '1004';

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({
    env: { ...BROADCAST_ENV, HUBSPOT_SUBSCRIPTION_TYPES: `rates=${ACCOUNT_ALERTS};*=all` },
  });
});
afterAll(async () => {
  await t?.stop();
});

/** HubSpot's API on the sandbox, as any HubSpot client would call it. */
async function hubspot<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TEST_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface V4Statuses {
  results: { subscriptionId: number; status: string }[];
}
const typeStatus = async (email: string, id: string) =>
  (
    await hubspot<V4Statuses>(
      'GET',
      `/communication-preferences/v4/statuses/${encodeURIComponent(email)}?channel=EMAIL`,
    )
  ).results.find((s) => String(s.subscriptionId) === id)?.status;

async function unsubscribeLink(alertId: string, contactId: string) {
  const delivery = await createDeliveryStore(t.db).get(alertId, contactId);
  const res = await t.rapport.app.request(`/u/${signToken(TEST_SECRET, 'unsubscribe', delivery!.token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  expect(res.status).toBe(200);
}

describe('HubSpot subscription preferences', () => {
  it('a contact unsubscribed in HubSpot from the topic’s subscription type gets no alert email', async () => {
    await hubspot('POST', `/communication-preferences/v4/statuses/${encodeURIComponent(DEMO.joe.email)}`, {
      channel: 'EMAIL',
      statusState: 'UNSUBSCRIBED',
      subscriptionId: Number(ACCOUNT_ALERTS),
      legalBasis: 'CONSENT_WITH_NOTICE',
      legalBasisExplanation: 'Asked on the phone.',
    });

    const alertId = await submit(t, { topic: 'Rates', lists: ['1'], channels: ['email'] });
    const resolved = await waitForStatus(t, alertId, 'awaiting_approval');
    expect(resolved.audience?.suppressedByReason.UNSUBSCRIBED).toBe(1);
    await approve(t, alertId);
    const done = await waitForStatus(t, alertId, ['following_up', 'completed']);
    expect(done.counts.sent).toBeGreaterThanOrEqual(1);
    expect(mailFor(t, DEMO.maria.email, alertId)).toHaveLength(1);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(0);
    expect(await createDeliveryStore(t.db).get(alertId, DEMO.joe.id)).toBeNull();
    // The email on Maria's timeline names its sender and recipient (hs_email_headers), as HubSpot shows them.
    const logged = await eventually(async () =>
      t.sandbox.records('emails').find((e) => e.properties.rapport_idempotency_key === `${alertId}:${DEMO.maria.id}`),
    );
    expect(JSON.parse(logged.properties.hs_email_headers!)).toMatchObject({
      from: { email: expect.stringContaining('@') },
      to: [{ email: DEMO.maria.email }],
    });
    expect(logged.properties.hs_email_to_email).toBe(DEMO.maria.email);
    expect(logged.properties.hs_email_subject).toBe(alertRequest().title);

    // Another topic is not sent under that type: Joe gets it.
    const other = await submit(t, { topic: 'products', lists: ['1'], channels: ['email'] });
    expect((await waitForStatus(t, other, 'awaiting_approval')).audience?.suppressedByReason.UNSUBSCRIBED).toBe(0);
  });

  it('Rapport’s unsubscribe link unsubscribes the address from the topic’s type in HubSpot', async () => {
    const alertId = await submit(t, { topic: 'rates', lists: ['1'], channels: ['email'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
    expect(await typeStatus(DEMO.aisha.email, ACCOUNT_ALERTS)).toBe('NOT_SPECIFIED');

    await unsubscribeLink(alertId, DEMO.aisha.id);
    await eventually(async () =>
      (await typeStatus(DEMO.aisha.email, ACCOUNT_ALERTS)) === 'UNSUBSCRIBED' ? true : undefined,
    );
    // HubSpot's v3 view agrees, and one type is not "all email".
    const v3 = await hubspot<{ subscriptionStatuses: { id: string; status: string; sourceOfStatus: string }[] }>(
      'GET',
      `/communication-preferences/v3/status/email/${encodeURIComponent(DEMO.aisha.email)}`,
    );
    expect(v3.subscriptionStatuses).toEqual([
      expect.objectContaining({ id: ACCOUNT_ALERTS, status: 'NOT_SUBSCRIBED', sourceOfStatus: 'SUBSCRIPTION_STATUS' }),
    ]);
    const contact = await t.rapport.crm.getContact(DEMO.aisha.id);
    expect(contact?.properties.hs_email_optout).not.toBe('true');
    expect(contact?.properties.rapport_unsubscribed_all ?? '').not.toBe('true');

    // The next rates alert leaves her out; the CRM said so, not Rapport's own flag.
    const next = await submit(t, { topic: 'rates', lists: ['1'], channels: ['email'] });
    expect((await waitForStatus(t, next, 'awaiting_approval')).audience?.suppressedByReason.UNSUBSCRIBED).toBe(2);
  });

  it('a topic sent under "all email": the link opts the address out of all, and hs_email_optout follows', async () => {
    const alertId = await submit(t, { topic: 'products', lists: ['1'], channels: ['email'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
    await unsubscribeLink(alertId, DEMO.maria.id);

    const wide = await eventually(async () => {
      const r = await hubspot<{ results: { status: string; wideStatusType: string }[] }>(
        'GET',
        `/communication-preferences/v4/statuses/${encodeURIComponent(DEMO.maria.email)}/unsubscribe-all?channel=EMAIL`,
      );
      return r.results[0]?.status === 'UNSUBSCRIBED' ? r.results[0] : undefined;
    });
    expect(wide.wideStatusType).toBe('PORTAL_WIDE');
    const contact = await t.rapport.crm.getContact(DEMO.maria.id);
    expect(contact?.properties.hs_email_optout).toBe('true');
    expect(await typeStatus(DEMO.maria.email, ACCOUNT_ALERTS)).toBe('UNSUBSCRIBED');
  });

  it('without the v4 batch scope the audience reads HubSpot one address at a time (v3) and still honours it', async () => {
    await hubspot('POST', '/__sandbox/communication-preferences', { batchApi: false });
    const before = t.sandbox.stats().byRoute;
    const alertId = await submit(t, { topic: 'rates', lists: ['1'], channels: ['email'] });
    const alert = await waitForStatus(t, alertId, 'awaiting_approval');
    const reasons = Object.fromEntries(
      (
        await t.db.query<{ contactId: string; reason: string }>(
          'select contact_id as "contactId", reason from alert_suppressions where alert_id = $1',
          [alertId],
        )
      ).rows.map((r) => [r.contactId, r.reason]),
    );
    // Joe and Aisha by type 1004 (v3 answers NOT_SUBSCRIBED), Maria by her opt-out of all email.
    expect(reasons).toMatchObject({
      [DEMO.joe.id]: 'UNSUBSCRIBED',
      [DEMO.aisha.id]: 'UNSUBSCRIBED',
      [DEMO.maria.id]: 'OPTED_OUT',
    });
    expect(alert.audience?.suppressedByReason.UNSUBSCRIBED).toBe(2);
    const after = t.sandbox.stats().byRoute;
    const reads = (prefix: string) =>
      Object.entries(after)
        .filter(([route]) => route.startsWith(prefix))
        .reduce((n, [route, count]) => n + count - (before[route] ?? 0), 0);
    // One v3 read per valid address (at most one per contact), after one refused v4 attempt (remembered).
    const v3 = reads('GET /communication-preferences/v3/status/email');
    expect(v3).toBeGreaterThanOrEqual(3);
    expect(v3).toBeLessThanOrEqual(alert.audience!.uniqueContacts);
    expect(reads('POST /communication-preferences/v4/statuses/batch/read')).toBe(1);
    expect((await getAlert(t, alertId)).audience?.deliveries).toBe(
      alert.audience!.uniqueContacts - Object.keys(reasons).length,
    );
  });

  it('a contact who unsubscribes after resolution, before the send, gets no email: statuses are read again at send time', async () => {
    const alertId = await submit(t, { topic: 'rates', lists: ['1'], channels: ['email'] });
    const resolved = await waitForStatus(t, alertId, 'awaiting_approval');
    const { rows } = await t.db.query<{ contactId: string; address: string }>(
      `select contact_id as "contactId", address from deliveries where alert_id = $1 and channel = 'email' order by seq`,
      [alertId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const [late, ...others] = rows;
    // While the alert waits for approval, the contact unsubscribes from the topic's type in HubSpot.
    await hubspot('POST', `/communication-preferences/v4/statuses/${encodeURIComponent(late!.address)}`, {
      channel: 'EMAIL',
      statusState: 'UNSUBSCRIBED',
      subscriptionId: Number(ACCOUNT_ALERTS),
      legalBasis: 'CONSENT_WITH_NOTICE',
      legalBasisExplanation: 'Unsubscribed from the preference page.',
    });
    await approve(t, alertId);
    const done = await waitForStatus(t, alertId, ['following_up', 'completed']);
    expect(mailFor(t, late!.address, alertId)).toHaveLength(0);
    for (const other of others) expect(mailFor(t, other.address, alertId)).toHaveLength(1);
    expect(done.counts.sent).toBe(others.length);
    // The row left the ledger as a suppression, and the audience summary counts it.
    expect(await createDeliveryStore(t.db).get(alertId, late!.contactId)).toBeNull();
    const suppressed = await t.db.query<{ reason: string; detail: string }>(
      'select reason, detail from alert_suppressions where alert_id = $1 and contact_id = $2',
      [alertId, late!.contactId],
    );
    expect(suppressed.rows).toEqual([
      { reason: 'UNSUBSCRIBED', detail: expect.stringContaining(`subscription type ${ACCOUNT_ALERTS}`) },
    ]);
    expect((await getAlert(t, alertId)).audience?.suppressedByReason.UNSUBSCRIBED).toBe(
      (resolved.audience?.suppressedByReason.UNSUBSCRIBED ?? 0) + 1,
    );
  });
});
