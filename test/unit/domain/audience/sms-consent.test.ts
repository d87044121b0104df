import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  policyContextSchema,
  summarizeAudience,
  unconfiguredNote,
  type AudienceContact,
  type PolicyContextInput,
} from '../../../../domain/audience/index.js';
import { contact, on } from './fixtures.js';

function run(
  contacts: AudienceContact[],
  channels: ('email' | 'slack' | 'sms')[] = ['email', 'slack', 'sms'],
  context: Partial<PolicyContextInput> = {},
) {
  const dedupe = dedupeAudience(contacts.map((c) => on('L', c)));
  const policy = contactPolicySchema.parse({ quietHours: null });
  const ctx = policyContextSchema.parse({
    now: '2026-11-24T12:00:00Z',
    alert: { id: 'A', topic: 'rates', channels },
    ...context,
  });
  const result = applyContactPolicy(dedupe.recipients, policy, ctx);
  return { result, summary: summarizeAudience([{ id: 'L', name: 'L' }], dedupe, result) };
}

const PHONE = '+14155550100';

describe('an email opt-out never moves a person to SMS by itself (issue 14)', () => {
  it('opted out of email, a phone, no consent: suppressed with its own reason, not texted', () => {
    const { result } = run([contact('1', 'a@example.com', { hs_email_optout: 'true', mobilephone: PHONE })]);
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([{ contactId: '1', reason: 'NO_SMS_CONSENT' }]);
    expect(result.suppressed[0]!.detail).toMatch(/sms: refused email, and neither chose SMS nor consented to texts/);
  });

  it('the same for a CRM subscription refusal of the topic', () => {
    const { result } = run([contact('1', 'a@example.com', { phone: PHONE })], ['email', 'sms'], {
      subscriptions: {
        target: { kind: 'type', id: '77' },
        byEmail: { 'a@example.com': { optedOutOfAll: false, unsubscribedFrom: ['77'] } },
      },
    });
    expect(result.deliveries).toEqual([]);
    expect(result.suppressed).toMatchObject([{ reason: 'NO_SMS_CONSENT' }]);
  });

  it('consented to texts (rapport_sms_consent): texted', () => {
    const { result } = run([
      contact('1', 'a@example.com', { hs_email_optout: 'true', mobilephone: PHONE, rapport_sms_consent: 'true' }),
    ]);
    expect(result.deliveries).toMatchObject([{ contactId: '1', channel: 'sms', address: PHONE }]);
  });

  it('chose SMS as preferred channel: texted', () => {
    const { result } = run([
      contact('1', 'a@example.com', { hs_email_optout: 'true', phone: PHONE, rapport_preferred_channel: 'sms' }),
    ]);
    expect(result.deliveries).toMatchObject([{ channel: 'sms', address: PHONE }]);
  });

  it('consent revoked (false) counts as no consent', () => {
    const { result } = run([
      contact('1', 'a@example.com', { hs_email_optout: 'true', phone: PHONE, rapport_sms_consent: 'false' }),
    ]);
    expect(result.suppressed).toMatchObject([{ reason: 'NO_SMS_CONSENT' }]);
  });

  it('opted out of email with Slack: gets Slack, and SMS is not kept as its fallback', () => {
    const { result } = run([
      contact('1', 'a@example.com', { hs_email_optout: 'true', phone: PHONE, rapport_slack_user_id: 'U0123ABCD' }),
    ]);
    expect(result.deliveries).toMatchObject([{ channel: 'slack', fallbackChannel: null }]);
  });

  it('an invalid email (not a refusal) still falls over to SMS', () => {
    const { result } = run([contact('1', 'not-an-email', { phone: PHONE })]);
    expect(result.deliveries).toMatchObject([{ channel: 'sms' }]);
  });

  it('someone who did not refuse email keeps SMS as the bounce fallback', () => {
    const { result } = run([contact('1', 'a@example.com', { phone: PHONE })]);
    expect(result.deliveries).toMatchObject([{ channel: 'email', fallbackChannel: 'sms', fallbackAddress: PHONE }]);
  });
});

describe('the preview counts only channels with a working adapter', () => {
  const people = [
    contact('1', 'a@example.com', { rapport_preferred_channel: 'slack', rapport_slack_user_id: 'U0123ABCD' }),
    contact('2', 'b@example.com', { rapport_preferred_channel: 'slack', rapport_slack_user_id: 'U0123ABCE' }),
    contact('3', 'c@example.com'),
    // Slack only: nothing else usable, so nothing this deployment can send.
    contact('4', null, { rapport_slack_user_id: 'U0123ABCF' }),
  ];

  it('Slack not configured: would-be Slack recipients are counted under their fallback, and the summary says so', () => {
    const { result, summary } = run(people, ['email', 'slack'], { workingChannels: ['email', 'sms'] });
    expect(result.deliveries.map((d) => [d.contactId, d.channel, d.fallbackChannel])).toEqual([
      ['1', 'email', null],
      ['2', 'email', null],
      ['3', 'email', null],
    ]);
    expect(result.suppressed).toMatchObject([
      { contactId: '4', reason: 'NO_USABLE_ADDRESS', detail: expect.stringMatching(/slack is not configured here/) },
    ]);
    expect(summary.channelMix).toEqual({ email: 3, slack: 0, sms: 0 });
    // Contact 4 had Slack alone: not reachable here, so suppressed rather than counted.
    expect(summary.unconfiguredChannels).toEqual({ slack: 2 });
    expect(unconfiguredNote(summary)).toBe(
      'Slack is not configured here: 2 would-be Slack recipients are counted under their fallback channel.',
    );
  });

  it('every channel working: Slack counted as Slack, no note', () => {
    const { summary } = run(people, ['email', 'slack'], { workingChannels: ['email', 'slack', 'sms'] });
    expect(summary.channelMix).toEqual({ email: 1, slack: 3, sms: 0 });
    expect(summary.unconfiguredChannels).toBeUndefined();
    expect(unconfiguredNote(summary)).toBeNull();
  });
});
