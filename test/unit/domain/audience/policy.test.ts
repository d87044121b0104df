import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  parseAudienceInput,
  policyContextSchema,
  toE164,
  isValidEmail,
  type AudienceContact,
  type ContactPolicyInput,
  type PolicyContextInput,
} from '../../../../domain/audience/index.js';
import { DomainError } from '../../../../domain/errors.js';
import { contact, on } from './fixtures.js';

const NOON_UTC = '2026-11-24T12:00:00Z';

function run(
  contacts: AudienceContact[],
  opts: {
    channels?: ('email' | 'slack' | 'sms')[];
    policy?: ContactPolicyInput;
    context?: Partial<PolicyContextInput>;
  } = {},
) {
  const { recipients } = dedupeAudience(contacts.map((c) => on('L', c)));
  const policy = contactPolicySchema.parse({ quietHours: null, ...opts.policy });
  const context = policyContextSchema.parse({
    now: NOON_UTC,
    alert: { id: 'ALERT-9', topic: 'Rates', channels: opts.channels ?? ['email', 'slack', 'sms'] },
    ...opts.context,
  });
  return applyContactPolicy(recipients, policy, context);
}

describe('applyContactPolicy: one delivery per person', () => {
  it('sends once to a contact on four lists under differently-cased emails', () => {
    const memberships = [
      on('L1', contact('51', 'Ann@Example.com', {}, 'owner-1')),
      on('L2', contact('50', 'ann@example.com', {}, 'owner-2')),
      on('L3', contact('52', ' ANN@EXAMPLE.COM')),
      on('L4', contact('51', 'Ann@Example.com', {}, 'owner-1')),
    ];
    const { recipients } = dedupeAudience(memberships);
    const result = applyContactPolicy(
      recipients,
      contactPolicySchema.parse({}),
      policyContextSchema.parse({ now: NOON_UTC, alert: { id: 'A', topic: 't', channels: ['email'] } }),
    );
    expect(result.suppressed).toEqual([]);
    expect(result.deliveries).toEqual([
      {
        contactId: '50',
        email: 'ann@example.com',
        channel: 'email',
        address: 'ann@example.com',
        fallbackChannel: null,
        fallbackAddress: null,
        deliverAfter: null,
        timeZone: 'UTC',
        listIds: ['L1', 'L2', 'L3', 'L4'],
        ownerId: 'owner-2',
      },
    ]);
  });
});

describe('applyContactPolicy: opt-outs', () => {
  it('sends nothing to a contact who opted out of email when the alert is email-only', () => {
    const result = run([contact('1', 'a@example.com', { hs_email_optout: 'true' })], { channels: ['email'] });
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([
      { contactId: '1', reason: 'OPTED_OUT', detail: 'email: opted out of email' },
    ]);
  });

  it('an email opt-out suppresses only email: the contact still gets Slack', () => {
    const result = run([
      contact('1', 'a@example.com', { hs_email_optout: 'TRUE', rapport_slack_user_id: 'U0123ABCD' }),
    ]);
    expect(result.deliveries).toMatchObject([{ channel: 'slack', address: 'U0123ABCD', fallbackChannel: null }]);
  });

  it('a global unsubscribe suppresses every channel', () => {
    const result = run([
      contact('1', 'a@example.com', {
        rapport_unsubscribed_all: 'true',
        rapport_slack_user_id: 'U0123ABCD',
        phone: '+14155550100',
      }),
    ]);
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([{ reason: 'OPTED_OUT', detail: 'unsubscribed from all alerts' }]);
  });

  it('an opt-out on a duplicate CRM record binds the merged recipient', () => {
    const result = run([contact('1', 'a@example.com'), contact('2', 'A@example.com', { hs_email_optout: 'true' })], {
      channels: ['email'],
    });
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'OPTED_OUT' }]);
  });
});

describe('applyContactPolicy: addresses', () => {
  it('suppresses a syntactically invalid or bounce-flagged email when nothing else is usable', () => {
    const result = run(
      [contact('1', 'not-an-email'), contact('2', 'bounced@example.com', { rapport_email_invalid: 'true' })],
      { channels: ['email', 'sms'] },
    );
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed.map((s) => [s.contactId, s.reason])).toEqual([
      ['1', 'INVALID_EMAIL'],
      ['2', 'INVALID_EMAIL'],
    ]);
    expect(result.suppressed[1]?.detail).toContain('flagged as bouncing');
  });

  it('falls over to SMS when the email is invalid but a mobile number is usable', () => {
    const result = run([contact('1', 'a@@example', { mobilephone: '+44 20 7946 0958' })], {
      channels: ['email', 'sms'],
    });
    expect(result.deliveries).toMatchObject([{ channel: 'sms', address: '+442079460958', email: 'a@@example' }]);
  });

  it('reports NO_USABLE_ADDRESS when the contact has no address on any allowed channel', () => {
    const result = run([contact('1', null, { phone: '555-0100', rapport_slack_user_id: 'U0123ABCD' })], {
      channels: ['email', 'sms'],
    });
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'NO_USABLE_ADDRESS' }]);
    expect(result.suppressed[0]?.detail).toBe(
      'email: no email address; sms: no phone number in international (E.164) form',
    );
  });

  it('validates addresses pragmatically', () => {
    expect(isValidEmail('first.last+tag@sub.example.co.uk')).toBe(true);
    expect(isValidEmail('jörg@bücher.de')).toBe(true);
    expect(isValidEmail('a..b@example.com')).toBe(false);
    expect(isValidEmail('a b@example.com')).toBe(false);
    expect(isValidEmail('a@localhost')).toBe(false);
    expect(toE164('0044 (20) 7946-0958')).toBe('+442079460958');
    expect(toE164('(415) 555-0100')).toBeNull();
  });
});

describe('applyContactPolicy: channel choice', () => {
  const reachable = { rapport_slack_user_id: 'U0123ABCD', mobilephone: '+1 415 555 0100' };

  it('uses the preferred channel and keeps the next usable one as the bounce fallback', () => {
    const result = run([contact('1', 'a@example.com', { ...reachable, rapport_preferred_channel: 'SMS' })]);
    expect(result.deliveries).toMatchObject([
      { channel: 'sms', address: '+14155550100', fallbackChannel: 'email', fallbackAddress: 'a@example.com' },
    ]);
  });

  it('ignores a preference the alert does not allow and follows the fallback order', () => {
    const result = run([contact('1', 'a@example.com', { ...reachable, rapport_preferred_channel: 'slack' })], {
      channels: ['email', 'sms'],
    });
    expect(result.deliveries).toMatchObject([{ channel: 'email', fallbackChannel: 'sms' }]);
  });

  it('falls back when the preferred channel has no address', () => {
    const result = run([
      contact('1', 'a@example.com', { rapport_preferred_channel: 'slack', mobilephone: '+14155550100' }),
    ]);
    expect(result.deliveries).toMatchObject([{ channel: 'email', fallbackChannel: 'sms' }]);
  });

  it('honours a configured fallback order and ignores unknown preferences', () => {
    const result = run([contact('1', 'a@example.com', { ...reachable, rapport_preferred_channel: 'pigeon' })], {
      policy: { fallbackOrder: ['slack', 'email'] },
    });
    expect(result.deliveries).toMatchObject([{ channel: 'slack', fallbackChannel: 'email' }]);
  });
});

describe('applyContactPolicy: frequency cap', () => {
  const cap = { maxPerWindow: 5, windowHours: 24, perTopic: { rates: { maxPerWindow: 2, windowHours: 72 } } };
  const hist = (sends: [string, string, string][], inFlight: [string, string][] = []) => ({
    recentSends: sends.map(([alertId, topic, sentAt]) => ({ alertId, topic, sentAt })),
    inFlight: inFlight.map(([alertId, topic]) => ({ alertId, topic })),
  });

  it('caps per topic: two "rates" alerts in 72h stop a third, while another topic still goes', () => {
    const history = {
      '1': hist([
        ['A1', 'rates', '2026-11-22T09:00:00Z'],
        ['A2', 'RATES ', '2026-11-24T08:00:00Z'],
      ]),
    };
    const c = contact('1', 'a@example.com');
    const rates = run([c], { policy: { frequencyCap: cap }, context: { history } });
    expect(rates.deliveries).toEqual([]);
    expect(rates.suppressed).toMatchObject([{ reason: 'FREQUENCY_CAP' }]);
    expect(rates.suppressed[0]?.detail).toContain('topic cap is 2');

    const equities = run([c], {
      policy: { frequencyCap: cap },
      context: { history, alert: { id: 'ALERT-10', topic: 'equities', channels: ['email'] } },
    });
    expect(equities.deliveries).toHaveLength(1);
  });

  it('forgets sends outside the window and counts in-flight alerts, but never the alert itself', () => {
    const c = contact('1', 'a@example.com');
    const old = {
      '1': hist([
        ['A1', 'rates', '2026-11-20T09:00:00Z'],
        ['A2', 'rates', '2026-11-24T08:00:00Z'],
      ]),
    };
    expect(run([c], { policy: { frequencyCap: cap }, context: { history: old } }).deliveries).toHaveLength(1);

    const pending = { '1': hist([['A2', 'rates', '2026-11-24T08:00:00Z']], [['A3', 'rates']]) };
    expect(run([c], { policy: { frequencyCap: cap }, context: { history: pending } }).suppressed).toHaveLength(1);

    const itself = {
      '1': hist(
        [
          ['A2', 'rates', '2026-11-24T08:00:00Z'],
          ['ALERT-9', 'rates', NOON_UTC],
        ],
        [['ALERT-9', 'rates']],
      ),
    };
    expect(run([c], { policy: { frequencyCap: cap }, context: { history: itself } }).deliveries).toHaveLength(1);
  });

  it('applies the overall cap across topics, counting each alert once, across merged CRM records', () => {
    const overall = { maxPerWindow: 2, windowHours: 24 };
    const history = {
      '1': hist([
        ['B1', 'news', '2026-11-24T01:00:00Z'],
        ['B1', 'news', '2026-11-24T01:05:00Z'],
      ]),
      '2': hist([], [['B2', 'macro']]),
    };
    const twins = [contact('1', 'a@example.com'), contact('2', 'A@EXAMPLE.com')];
    const result = run(twins, { policy: { frequencyCap: overall }, context: { history } });
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'FREQUENCY_CAP' }]);
    expect(result.suppressed[0]?.detail).toBe('2 alert(s) in the last 24h; cap is 2');

    const onlyFirst = { '1': history['1'] };
    expect(run(twins, { policy: { frequencyCap: overall }, context: { history: onlyFirst } }).deliveries).toHaveLength(
      1,
    );
  });
});

describe('audience input schemas', () => {
  it('turn bad policy and context input into VALIDATION errors naming the field', () => {
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        return e instanceof DomainError ? { code: e.code, field: e.field } : e;
      }
      return 'no error';
    };
    expect(failure(() => parseAudienceInput(contactPolicySchema, { defaultTimeZone: 'Nowhere/Land' }))).toEqual({
      code: 'VALIDATION',
      field: 'defaultTimeZone',
    });
    expect(
      failure(() =>
        parseAudienceInput(policyContextSchema, { now: NOON_UTC, alert: { id: 'A', topic: 't', channels: [] } }),
      ),
    ).toEqual({ code: 'VALIDATION', field: 'alert.channels' });
    expect(failure(() => parseAudienceInput(policyContextSchema, { now: 'yesterday', alert: {} }))).toEqual({
      code: 'VALIDATION',
      field: 'now',
    });
    const policy = parseAudienceInput(contactPolicySchema, { defaultTimeZone: 'europe/paris' });
    expect(policy).toMatchObject({
      defaultTimeZone: 'Europe/Paris',
      fallbackOrder: ['email', 'slack', 'sms'],
      quietHours: { start: '21:00', end: '08:00' },
    });
  });

  it('rejects a hand-built policy with an unknown default zone before touching the audience', () => {
    const policy = { ...contactPolicySchema.parse({}), defaultTimeZone: 'Nowhere/Land' };
    const context = policyContextSchema.parse({ now: NOON_UTC, alert: { id: 'A', topic: 't', channels: ['email'] } });
    expect(() => applyContactPolicy([], policy, context)).toThrow(/IANA/);
  });
});
