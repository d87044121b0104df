/**
 * Issue 14, the preference centre end to end: a real alert through Temporal and SMTP carries the
 * contact's signed link; the page shows their current choices; saving writes HubSpot (the
 * sandbox: subscription type, contact property, a note) and the store's cache; the next alert
 * follows. Links forged, expired, revoked or altered to another contact are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { preferenceLinkId } from '../../../domain/preferences.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';
import { DEMO, DEMO_LISTS } from '../../../testkit/demo-data.js';
import {
  eventually,
  SANDBOX_TEST_TOKEN,
  startTestRapport,
  TEST_SECRET,
  type TestRapport,
} from '../../../testkit/rapport.js';
import { approve, BROADCAST_ENV, form, getAlert, htmlOf, linkPath, mailFor, submit, waitForStatus } from './support.js';

const SMS_FROM = '+15005550006';
const ACCOUNT_ALERTS = '1004';
const LIST = DEMO_LISTS.newsletter.id;
const JOE_PHONE = '+14155550111';
const OLIVIA_PHONE = '+14155550112';

// Joe's quiet hours must not hold the next alerts whenever the suite runs: two hours, twelve hours from now
// in his zone (New York). A fixed 22:00-07:00 held his text until morning when CI ran at night there.
const hourInNewYork = Number(
  new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' }).format(
    new Date(),
  ),
);
const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
const QUIET_START = hh(hourInNewYork + 12);
const QUIET_END = hh(hourInNewYork + 14);
const QUIET = `${QUIET_START}-${QUIET_END}`;

let t: TestRapport;
let sms: SmsStandIn;

beforeAll(async () => {
  sms = await startSmsStandIn({ senders: [SMS_FROM], ratePerSecond: 50 });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      HUBSPOT_SUBSCRIPTION_TYPES: `rates=${ACCOUNT_ALERTS}`,
      SMS_API_URL: sms.apiUrl,
      SMS_ACCOUNT_SID: sms.accountSid,
      SMS_AUTH_TOKEN: sms.authToken,
      SMS_FROM,
      SMS_RATE_PER_SECOND: '50',
      PREFERENCE_LINK_TTL_DAYS: '30',
    },
  });
  await t.rapport.crm.updateContactProperties(DEMO.joe.id, { mobilephone: JOE_PHONE });
});
afterAll(async () => {
  await t?.stop();
  await sms?.close();
});

/** The Newsletter list (MANUAL) holds exactly these contacts for the next alert. */
function listHolds(...contactIds: string[]) {
  const list = t.sandbox.state().lists.find((l) => l.listId === LIST)!;
  list.members = contactIds.map((recordId) => ({ recordId, membershipTimestamp: new Date().toISOString() }));
}

async function sendAlert(topic: string, channels: string[], ...contactIds: string[]) {
  listHolds(...contactIds);
  const alertId = await submit(t, { topic, lists: [LIST], channels, title: `About ${topic}` });
  const resolved = await waitForStatus(t, alertId, 'awaiting_approval');
  await approve(t, alertId);
  await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
  return { alertId, resolved };
}

const typeStatus = async (email: string, id: string) => {
  const res = await fetch(
    `${t.sandbox.url}/communication-preferences/v4/statuses/${encodeURIComponent(email)}?channel=EMAIL`,
    { headers: { authorization: `Bearer ${SANDBOX_TEST_TOKEN}` } },
  );
  const body = (await res.json()) as { results: { subscriptionId: number; status: string }[] };
  return body.results.find((s) => String(s.subscriptionId) === id)?.status;
};

const page = (path: string) => t.rapport.app.request(path);
const save = (fields: Record<string, string>) => t.rapport.app.request('/p', form(fields));
const tokenOf = (path: string) => decodeURIComponent(path.replace(/^\/p\//, ''));
const linkFor = (contactId: string, issuedAt = new Date()) =>
  `/p/${signToken(TEST_SECRET, 'preferences', preferenceLinkId(contactId, issuedAt))}`;
const notesAbout = (contactId: string) =>
  t.sandbox
    .records('notes')
    .filter((n) => (n.properties.rapport_idempotency_key ?? '').startsWith(`prefs:${contactId}:`));

describe('the preference page', () => {
  let joeLink: string;

  beforeAll(async () => {
    const { alertId } = await sendAlert('rates', ['email'], DEMO.joe.id);
    const [mail] = mailFor(t, DEMO.joe.email, alertId);
    joeLink = linkPath(await htmlOf(t, mail!.id), /\/p\//);
  });

  it('every alert email links the contact’s own page; it shows their current choices, no cookie, no script', async () => {
    const res = await page(joeLink);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Hello Joe');
    // Every catalogue topic, on by default; the channels Joe has an address for (email, and SMS now).
    for (const name of ['Rates', 'Products', 'Market updates', 'Service notices']) expect(html).toContain(name);
    expect(html).toMatch(/name="topic\.rates\.enabled" value="on" checked/);
    expect(html).toContain('<option value="sms">SMS</option>');
    expect(html).not.toContain('<option value="slack">');
    expect(html).toContain(`<input type="hidden" name="token" value="${tokenOf(joeLink)}">`);
    expect(html).toContain('<form method="post" action="/p">');
  });

  it('saving writes HubSpot (subscription type, property, one note) and shows what changed; saving again changes nothing', async () => {
    const fields = {
      token: tokenOf(joeLink),
      'topic.rates.enabled': 'off',
      'topic.products.enabled': 'on',
      'topic.products.channel': 'sms',
      'topic.products.delivery': 'daily',
      quietStart: QUIET_START,
      quietEnd: QUIET_END,
      capMax: '3',
      capWindow: '168',
    };
    const res = await save(fields);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Saved');
    expect(html).toContain('Rates: off');
    expect(html).toContain('Products: on, SMS, daily digest');
    expect(html).toContain(`Quiet hours: ${QUIET}`);
    expect(html).toMatch(/name="topic\.rates\.enabled" value="off" checked/);

    // HubSpot: the topic's subscription type, the JSON property, a note on the timeline.
    expect(await typeStatus(DEMO.joe.email, ACCOUNT_ALERTS)).toBe('UNSUBSCRIBED');
    const contact = await t.rapport.crm.getContact(DEMO.joe.id);
    const stored = JSON.parse(contact!.properties.rapport_preferences!) as Record<string, unknown>;
    expect(stored).toMatchObject({
      topics: { products: { enabled: true, channel: 'sms', delivery: 'daily' }, rates: { enabled: false } },
      quietHours: { start: QUIET_START, end: QUIET_END },
      frequencyCap: { maxPerWindow: 3, windowHours: 168 },
    });
    const notes = await eventually(async () =>
      notesAbout(DEMO.joe.id).length > 0 ? notesAbout(DEMO.joe.id) : undefined,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties.hs_note_body).toContain('Rates: off');

    // Reps see it beside the customer: the context the add-in and the Slack card show.
    const ctx = (await (await t.api(`/api/customers/context?email=${DEMO.joe.email}`)).json()) as {
      preferences?: string[];
    };
    expect(ctx.preferences).toEqual(
      expect.arrayContaining(['Rates: off', 'Products: on, SMS, daily digest', `Quiet hours: ${QUIET}`]),
    );

    const again = await save(fields);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Nothing changed');
    expect(notesAbout(DEMO.joe.id)).toHaveLength(1);
  });

  it('the next alerts follow: the topic turned off is suppressed with its own reason; the topic set to SMS is texted', async () => {
    const rates = await sendAlert('rates', ['email'], DEMO.joe.id, DEMO.maria.id);
    expect(rates.resolved.audience?.suppressedByReason.TOPIC_OFF).toBe(1);
    expect(mailFor(t, DEMO.joe.email, rates.alertId)).toHaveLength(0);
    expect(mailFor(t, DEMO.maria.email, rates.alertId)).toHaveLength(1);
    const res = await t.api(`/api/alerts/${rates.alertId}/suppressed`);
    const { suppressed } = (await res.json()) as { suppressed: { contactId: string; reason: string }[] };
    expect(suppressed).toEqual([expect.objectContaining({ contactId: DEMO.joe.id, reason: 'TOPIC_OFF' })]);

    const products = await sendAlert('products', ['email', 'sms'], DEMO.joe.id);
    const texts = await eventually(async () => {
      const m = sms.messagesTo(JOE_PHONE);
      return m.length > 0 ? m : undefined;
    });
    expect(texts).toHaveLength(1);
    // The text carries the preference link too.
    expect(texts[0]!.body).toMatch(/Preferences: http\S+\/p\//);
    expect(mailFor(t, DEMO.joe.email, products.alertId)).toHaveLength(0);
    expect((await getAlert(t, products.alertId)).audience?.suppressedByReason.TOPIC_OFF).toBe(0);
  });

  it('a field that is not valid: 400 naming it, nothing changed', async () => {
    const res = await save({ token: tokenOf(joeLink), 'topic.rates.enabled': 'on', 'topic.rates.channel': 'slack' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('topic.rates.channel');
    expect(await typeStatus(DEMO.joe.email, ACCOUNT_ALERTS)).toBe('UNSUBSCRIBED');
  });

  it('forged, altered to another contact, expired and revoked links: 4xx, nothing shown or changed', async () => {
    const token = tokenOf(joeLink);
    const [id, mac] = token.split('.') as [string, string];
    const forged = `${id}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherContact = `${id.replace(`_${DEMO.joe.id}_`, `_${DEMO.maria.id}_`)}.${mac}`;
    const response = signToken(TEST_SECRET, 'response', id); // Rapport's MAC, for another purpose
    const expired = tokenOf(linkFor(DEMO.joe.id, new Date(Date.now() - 31 * 86_400_000)));
    for (const bad of [forged, otherContact, response, 'nonsense', expired]) {
      const shown = await page(`/p/${encodeURIComponent(bad)}`);
      expect(shown.status, bad).toBeGreaterThanOrEqual(400);
      expect(shown.status, bad).toBeLessThan(500);
      expect(await shown.text()).not.toContain('Hello');
      const posted = await save({ token: bad, 'topic.rates.enabled': 'on' });
      expect(posted.status, bad).toBeGreaterThanOrEqual(400);
      expect(posted.status, bad).toBeLessThan(500);
    }
    expect((await page(`/p/${encodeURIComponent(expired)}`)).status).toBe(410);
    expect(await typeStatus(DEMO.joe.email, ACCOUNT_ALERTS)).toBe('UNSUBSCRIBED');

    // Revoked: Maria stops her links; a link issued before no longer works, a new one does.
    const maria = linkFor(DEMO.maria.id, new Date(Date.now() - 5_000));
    expect((await page(maria)).status).toBe(200);
    expect((await save({ token: tokenOf(maria), action: 'revoke' })).status).toBe(200);
    expect((await page(maria)).status).toBe(410);
    expect((await save({ token: tokenOf(maria), 'topic.rates.enabled': 'off' })).status).toBe(410);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await page(linkFor(DEMO.maria.id))).status).toBe(200);
  });

  it('POST only: a GET with the fields changes nothing; no POST to the link path; no token, 400', async () => {
    const before = (await t.rapport.crm.getContact(DEMO.joe.id))!.properties.rapport_preferences;
    const res = await page(`${joeLink}?topic.rates.enabled=on&unsubscribeAll=on&action=save`);
    expect(res.status).toBe(200);
    expect((await t.rapport.crm.getContact(DEMO.joe.id))!.properties.rapport_preferences).toBe(before);
    expect(await typeStatus(DEMO.joe.email, ACCOUNT_ALERTS)).toBe('UNSUBSCRIBED');
    expect((await t.rapport.app.request(joeLink, form({ 'topic.rates.enabled': 'on' }))).status).toBe(404);
    expect((await save({ 'topic.rates.enabled': 'on' })).status).toBe(400);
  });

  it('script in names is inert', async () => {
    await t.rapport.crm.updateContactProperties(DEMO.aisha.id, { firstname: '<script>alert(1)</script>"><img src=x>' });
    const html = await (await page(linkFor(DEMO.aisha.id))).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('an email opt-out never moves a contact to SMS without their say', () => {
  it('opted out of email, a phone, no SMS consent: suppressed, not texted; with SMS chosen for the topic: texted', async () => {
    await t.rapport.crm.updateContactProperties(DEMO.olivia.id, { hs_email_optout: 'true', mobilephone: OLIVIA_PHONE });
    const first = await sendAlert('service', ['email', 'sms'], DEMO.olivia.id);
    expect(first.resolved.audience?.suppressedByReason.NO_SMS_CONSENT).toBe(1);
    expect(sms.messagesTo(OLIVIA_PHONE)).toHaveLength(0);

    // Olivia opens her page (email is not offered: she opted out of it) and chooses SMS for service notices.
    const link = linkFor(DEMO.olivia.id);
    const html = await (await page(link)).text();
    expect(html).toContain('opted out of all email');
    expect(html).not.toContain('<option value="email">');
    const saved = await save({ token: tokenOf(link), 'topic.service.enabled': 'on', 'topic.service.channel': 'sms' });
    expect(saved.status).toBe(200);

    const second = await sendAlert('service', ['email', 'sms'], DEMO.olivia.id);
    expect(second.resolved.audience?.suppressedByReason.NO_SMS_CONSENT).toBe(0);
    const texts = await eventually(async () => {
      const m = sms.messagesTo(OLIVIA_PHONE);
      return m.length > 0 ? m : undefined;
    });
    expect(texts).toHaveLength(1);
    // Still no consent to texts in general: another topic is not texted.
    const other = await sendAlert('products', ['email', 'sms'], DEMO.olivia.id);
    expect(other.resolved.audience?.suppressedByReason.NO_SMS_CONSENT).toBe(1);
  });
});
