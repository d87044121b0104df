import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  policyContextSchema,
  summarizeAudience,
  withSuppressedAtSend,
  type ListMembership,
} from '../../../../domain/audience/index.js';
import { contact, on } from './fixtures.js';

describe('summarizeAudience', () => {
  it('gives approvers counts that add up: memberships = unique + duplicates, unique = deliveries + suppressed', () => {
    const joe = [contact('12', 'Joe@Example.com'), contact('30', 'joe@example.com '), contact('31', 'JOE@example.com')];
    const jane = contact('20', 'jane@example.com', {
      rapport_preferred_channel: 'slack',
      rapport_slack_user_id: 'U0JANE001',
    });
    const memberships: ListMembership[] = [
      on('clients', joe[0]!),
      on('prospects', joe[1]!),
      on('vip', joe[2]!),
      on('vip', joe[0]!),
      on('clients', jane),
      on('vip', jane),
      on('clients', contact('40', 'out@example.com', { hs_email_optout: 'true' })),
      on('clients', contact('41', null)),
      on('prospects', contact('42', 'broken@', {})),
      on('prospects', contact('43', 'busy@example.com')),
      on(
        'prospects',
        contact('44', 'night@example.com', {
          hs_timezone: 'asia_slash_tokyo',
          mobilephone: '+81 90 1234 5678',
          rapport_preferred_channel: 'sms',
        }),
      ),
    ];
    const dedupe = dedupeAudience(memberships);
    const policy = applyContactPolicy(
      dedupe.recipients,
      contactPolicySchema.parse({ frequencyCap: { maxPerWindow: 1, windowHours: 24 } }),
      policyContextSchema.parse({
        // 14:00 UTC: daytime in UTC (the default zone), 23:00 in Tokyo.
        now: '2026-11-24T14:00:00Z',
        alert: { id: 'A-1', topic: 'rates', channels: ['email', 'slack', 'sms'] },
        history: { '43': { recentSends: [{ alertId: 'A-0', topic: 'rates', sentAt: '2026-11-24T09:00:00Z' }] } },
      }),
    );

    const summary = summarizeAudience(
      [
        { id: 'clients', name: 'Key clients' },
        { id: 'prospects', name: 'Prospects Q4' },
        { id: 'vip', name: 'VIP' },
        { id: 'empty', name: 'Nobody yet' },
      ],
      dedupe,
      policy,
    );

    expect(summary).toEqual({
      lists: [
        { id: 'clients', name: 'Key clients', memberships: 4 },
        { id: 'prospects', name: 'Prospects Q4', memberships: 4 },
        { id: 'vip', name: 'VIP', memberships: 3 },
        { id: 'empty', name: 'Nobody yet', memberships: 0 },
      ],
      totalMemberships: 11,
      uniqueContacts: 7,
      duplicates: 4,
      deliveries: 3,
      channelMix: { email: 1, slack: 1, sms: 1 },
      suppressedByReason: {
        // Joe's record 12 again on vip, Jane again on vip; Joe's records 30 and 31 fold by email.
        DUPLICATE_CONTACT: 2,
        DUPLICATE_EMAIL: 2,
        OPTED_OUT: 1,
        TOPIC_OFF: 0,
        UNSUBSCRIBED: 0,
        NO_SMS_CONSENT: 0,
        INVALID_EMAIL: 1,
        NO_USABLE_ADDRESS: 1,
        FREQUENCY_CAP: 1,
      },
      delayedByQuietHours: 1,
    });
    expect(summary.totalMemberships).toBe(summary.uniqueContacts + summary.duplicates);
    expect(summary.uniqueContacts).toBe(summary.deliveries + policy.suppressed.length);
    expect(summary.lists.reduce((n, l) => n + l.memberships, 0)).toBe(summary.totalMemberships);
    const bySuppression = Object.values(summary.suppressedByReason).reduce((n, c) => n + c, 0);
    expect(summary.deliveries + bySuppression).toBe(summary.totalMemberships);
    expect(policy.deliveries.find((d) => d.contactId === '44')?.deliverAfter).toBe('2026-11-24T23:00:00.000Z');
  });

  it('still counts memberships of a list it was not given a name for', () => {
    const dedupe = dedupeAudience([on('L9', contact('1', 'a@example.com'))]);
    const summary = summarizeAudience([], dedupe, { deliveries: [], suppressed: [] });
    expect(summary.lists).toEqual([{ id: 'L9', name: 'L9', memberships: 1 }]);
  });
});

describe('withSuppressedAtSend', () => {
  it('takes the recipients out of deliveries and their channels, and counts the reason, so the figures add up', () => {
    const before = {
      lists: [{ id: '1', name: 'Key accounts', memberships: 10 }],
      totalMemberships: 10,
      uniqueContacts: 10,
      duplicates: 0,
      deliveries: 8,
      channelMix: { email: 6, slack: 1, sms: 1 },
      suppressedByReason: {
        OPTED_OUT: 2,
        TOPIC_OFF: 0,
        UNSUBSCRIBED: 0,
        NO_SMS_CONSENT: 0,
        FREQUENCY_CAP: 0,
        INVALID_EMAIL: 0,
        DUPLICATE_EMAIL: 0,
        DUPLICATE_CONTACT: 0,
        NO_USABLE_ADDRESS: 0,
      },
      delayedByQuietHours: 0,
    };
    const after = withSuppressedAtSend(before, 'FREQUENCY_CAP', ['email', 'email', 'sms']);
    expect(after).toMatchObject({ deliveries: 5, channelMix: { email: 4, slack: 1, sms: 0 } });
    expect(after.suppressedByReason).toMatchObject({ FREQUENCY_CAP: 3, OPTED_OUT: 2 });
    const policySuppressed = Object.values(after.suppressedByReason).reduce((a, b) => a + b, 0);
    expect(after.deliveries + policySuppressed).toBe(after.uniqueContacts);
    expect(before.deliveries).toBe(8);
  });
});
