import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  policyContextSchema,
  summarizeAudience,
  type AudienceContact,
  type ContactPolicyInput,
  type PolicyContextInput,
} from '../../../../domain/audience/index.js';
import { EMPTY_PREFERENCES, type ContactPreferences } from '../../../../domain/preferences.js';
import { contact, on } from './fixtures.js';

const PHONE = '+14155550100';
const NOW = '2026-11-24T12:00:00Z'; // 12:00 UTC, 07:00 in New York

function run(
  contacts: AudienceContact[],
  preferences: Record<string, Partial<ContactPreferences>>,
  options: {
    channels?: ('email' | 'slack' | 'sms')[];
    policy?: ContactPolicyInput;
    context?: Partial<PolicyContextInput>;
  } = {},
) {
  const dedupe = dedupeAudience(contacts.map((c) => on('L', c)));
  const policy = contactPolicySchema.parse(options.policy ?? { quietHours: null });
  const ctx = policyContextSchema.parse({
    now: NOW,
    alert: { id: 'A', topic: 'rates', channels: options.channels ?? ['email', 'slack', 'sms'] },
    preferences: Object.fromEntries(Object.entries(preferences).map(([id, p]) => [id, { ...EMPTY_PREFERENCES, ...p }])),
    ...options.context,
  });
  const result = applyContactPolicy(dedupe.recipients, policy, ctx);
  return { result, summary: summarizeAudience([{ id: 'L', name: 'L' }], dedupe, result) };
}

const off = { enabled: false, channel: null, delivery: 'immediate' } as const;

describe('the audience follows the preference centre', () => {
  it('topic off: suppressed with its own reason, counted in the summary; other topics and people unaffected', () => {
    const { result, summary } = run([contact('1', 'a@example.com'), contact('2', 'b@example.com')], {
      '1': { topics: { rates: off } },
      '2': { topics: { products: off } },
    });
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'TOPIC_OFF' }]);
    expect(result.deliveries.map((d) => d.contactId)).toEqual(['2']);
    expect(summary.suppressedByReason.TOPIC_OFF).toBe(1);
  });

  it('topic off binds the person though their CRM preferred channel and consents say otherwise', () => {
    const { result } = run(
      [
        contact('1', 'a@example.com', {
          rapport_preferred_channel: 'sms',
          mobilephone: PHONE,
          rapport_sms_consent: 'true',
        }),
      ],
      { '1': { topics: { rates: off } } },
      { context: { alert: { id: 'A', topic: ' Rates ', channels: ['email', 'sms'] } } },
    );
    // The alert's topic in any case or spacing is the same topic.
    expect(result.deliveries).toHaveLength(0);
    expect(result.suppressed).toMatchObject([{ reason: 'TOPIC_OFF' }]);
  });

  it('unsubscribed from everything in the preference centre: OPTED_OUT, on a merged record too', () => {
    const { result } = run([contact('1', 'same@example.com'), contact('2', 'SAME@example.com')], {
      '2': { unsubscribedAll: true },
    });
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'OPTED_OUT' }]);
  });

  it('the channel chosen for the topic wins over the CRM preferred channel', () => {
    const { result } = run(
      [contact('1', 'a@example.com', { rapport_preferred_channel: 'email', mobilephone: PHONE })],
      { '1': { topics: { rates: { enabled: true, channel: 'sms', delivery: 'immediate' } } } },
    );
    expect(result.deliveries).toMatchObject([
      { channel: 'sms', address: PHONE, fallbackChannel: 'email', fallbackAddress: 'a@example.com' },
    ]);
  });

  it('a chosen channel the alert does not allow: the alert’s channels still bound it', () => {
    const { result } = run(
      [contact('1', 'a@example.com', { mobilephone: PHONE })],
      { '1': { topics: { rates: { enabled: true, channel: 'sms', delivery: 'immediate' } } } },
      { channels: ['email'] },
    );
    expect(result.deliveries).toMatchObject([{ channel: 'email' }]);
  });

  it('email opt-out, a phone, no consent: suppressed; SMS chosen for this topic: texted; for another topic: still suppressed', () => {
    const optedOut = () => contact('1', 'a@example.com', { hs_email_optout: 'true', mobilephone: PHONE });
    expect(run([optedOut()], {}).result.suppressed).toMatchObject([{ reason: 'NO_SMS_CONSENT' }]);
    const chose = run([optedOut()], {
      '1': { topics: { rates: { enabled: true, channel: 'sms', delivery: 'immediate' } } },
    });
    expect(chose.result.deliveries).toMatchObject([{ channel: 'sms', address: PHONE }]);
    const elsewhere = run([optedOut()], {
      '1': { topics: { products: { enabled: true, channel: 'sms', delivery: 'immediate' } } },
    });
    expect(elsewhere.result.suppressed).toMatchObject([{ reason: 'NO_SMS_CONSENT' }]);
  });

  it('a stricter customer cap wins over a looser organisation cap, and a looser one changes nothing', () => {
    const history = {
      '1': { recentSends: [{ alertId: 'X', topic: 'products', sentAt: '2026-11-23T12:00:00Z' }] },
      '2': { recentSends: [{ alertId: 'X', topic: 'products', sentAt: '2026-11-23T12:00:00Z' }] },
    };
    const { result } = run(
      [contact('1', 'a@example.com'), contact('2', 'b@example.com')],
      {
        '1': { frequencyCap: { maxPerWindow: 1, windowHours: 168 } },
        '2': { frequencyCap: { maxPerWindow: 100, windowHours: 24 } },
      },
      { policy: { quietHours: null, frequencyCap: { maxPerWindow: 5, windowHours: 168 } }, context: { history } },
    );
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'FREQUENCY_CAP' }]);
    expect(result.suppressed[0]!.detail).toMatch(/^their own cap: 1 alert\(s\) in the last 168h; cap is 1/);
    expect(result.deliveries.map((d) => d.contactId)).toEqual(['2']);

    // The organisation's stricter cap still stops someone whose own cap is looser.
    const org = run(
      [contact('2', 'b@example.com')],
      { '2': { frequencyCap: { maxPerWindow: 100, windowHours: 24 } } },
      {
        policy: { quietHours: null, frequencyCap: { maxPerWindow: 1, windowHours: 168 } },
        context: { history },
      },
    );
    expect(org.result.suppressed).toMatchObject([{ reason: 'FREQUENCY_CAP' }]);
    expect(org.result.suppressed[0]!.detail).not.toMatch(/their own/);
  });

  it('quiet hours: the customer’s own window holds a delivery the organisation’s would let go, in their own time zone', () => {
    // 12:00 UTC = 07:00 in New York: inside the customer's 22:00-09:00, outside the organisation's 21:00-06:00.
    const { result } = run(
      [contact('1', 'a@example.com', { hs_timezone: 'Europe/London' })],
      { '1': { timeZone: 'America/New_York', quietHours: { start: '22:00', end: '09:00' } } },
      { policy: { quietHours: { start: '21:00', end: '06:00' } } },
    );
    expect(result.deliveries).toMatchObject([
      { timeZone: 'America/New_York', deliverAfter: '2026-11-24T14:00:00.000Z' },
    ]);
  });

  it('quiet hours: the organisation’s later end wins over a shorter customer window', () => {
    // 12:00 UTC = 07:00 New York: inside the organisation's 21:00-10:00 and the customer's 06:00-08:00.
    const { result } = run(
      [contact('1', 'a@example.com')],
      { '1': { timeZone: 'America/New_York', quietHours: { start: '06:00', end: '08:00' } } },
      { policy: { quietHours: { start: '21:00', end: '10:00' } } },
    );
    expect(result.deliveries).toMatchObject([{ deliverAfter: '2026-11-24T15:00:00.000Z' }]);
  });

  it('no preferences at all: exactly the policy’s answer', () => {
    const contacts = [contact('1', 'a@example.com'), contact('2', 'b@example.com', { hs_email_optout: 'true' })];
    const withNone = run(contacts, {});
    const dedupe = dedupeAudience(contacts.map((c) => on('L', c)));
    const bare = applyContactPolicy(
      dedupe.recipients,
      contactPolicySchema.parse({ quietHours: null }),
      policyContextSchema.parse({ now: NOW, alert: { id: 'A', topic: 'rates', channels: ['email', 'slack', 'sms'] } }),
    );
    expect(withNone.result).toEqual(bare);
  });
});
