import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  parseSubscriptionMap,
  policyContextSchema,
  subscriptionForTopic,
  subscriptionRefusal,
  type AudienceContact,
  type EmailSubscriptionStatus,
  type SubscriptionTarget,
} from '../../../../domain/audience/index.js';
import { contact, on } from './fixtures.js';

describe('parseSubscriptionMap', () => {
  it('reads topic=id and topic=all pairs, topics folded to lower case', () => {
    expect(parseSubscriptionMap(' Rates=123456 ; outages=ALL, *=7890')).toEqual({
      rates: { kind: 'type', id: '123456' },
      outages: { kind: 'all' },
      '*': { kind: 'type', id: '7890' },
    });
    expect(parseSubscriptionMap('')).toEqual({});
  });

  it.each(['rates', 'rates=', '=123', 'rates=abc', 'rates=12;RATES=13'])('refuses %j, naming the part', (text) => {
    expect(() => parseSubscriptionMap(text)).toThrow(/rates|=123|mapped twice/i);
  });
});

describe('subscriptionForTopic', () => {
  const map = parseSubscriptionMap('rates=1;*=all');
  it('the topic’s own entry first, then *, else none', () => {
    expect(subscriptionForTopic(map, ' RATES ')).toEqual({ kind: 'type', id: '1' });
    expect(subscriptionForTopic(map, 'products')).toEqual({ kind: 'all' });
    expect(subscriptionForTopic(parseSubscriptionMap('rates=1'), 'products')).toBeNull();
  });
});

describe('subscriptionRefusal', () => {
  const type: SubscriptionTarget = { kind: 'type', id: '7' };
  it('refuses for the mapped type or for all email, and nothing else', () => {
    expect(subscriptionRefusal(undefined, type)).toBeNull();
    expect(subscriptionRefusal({ optedOutOfAll: false, unsubscribedFrom: ['8'] }, type)).toBeNull();
    expect(subscriptionRefusal({ optedOutOfAll: false, unsubscribedFrom: ['7'] }, type)).toMatch(/type 7/);
    expect(subscriptionRefusal({ optedOutOfAll: true, unsubscribedFrom: [] }, null)).toMatch(/all email/);
    expect(subscriptionRefusal({ optedOutOfAll: false, unsubscribedFrom: ['7'] }, null)).toBeNull();
    expect(subscriptionRefusal({ optedOutOfAll: false, unsubscribedFrom: ['7'] }, { kind: 'all' })).toBeNull();
  });
});

describe('applyContactPolicy with the CRM’s subscription preferences', () => {
  function run(
    contacts: AudienceContact[],
    channels: ('email' | 'slack')[],
    byEmail: Record<string, EmailSubscriptionStatus>,
  ) {
    const { recipients } = dedupeAudience(contacts.map((c) => on('L', c)));
    return applyContactPolicy(
      recipients,
      contactPolicySchema.parse({ quietHours: null }),
      policyContextSchema.parse({
        now: '2026-11-24T12:00:00Z',
        alert: { id: 'A', topic: 'rates', channels },
        subscriptions: { target: { kind: 'type', id: '7' }, byEmail },
      }),
    );
  }

  it('an address unsubscribed from the type gets no email: suppressed as UNSUBSCRIBED', () => {
    const result = run([contact('1', 'Ann@Example.com'), contact('2', 'bob@example.com')], ['email'], {
      'ann@example.com': { optedOutOfAll: false, unsubscribedFrom: ['7'] },
    });
    expect(result.deliveries.map((d) => d.contactId)).toEqual(['2']);
    expect(result.suppressed).toEqual([
      expect.objectContaining({ contactId: '1', reason: 'UNSUBSCRIBED', detail: expect.stringMatching(/type 7/) }),
    ]);
  });

  it('another allowed channel still reaches the person; email is not the fallback', () => {
    const result = run([contact('1', 'ann@example.com', { rapport_slack_user_id: 'U0123ABCD' })], ['email', 'slack'], {
      'ann@example.com': { optedOutOfAll: true, unsubscribedFrom: [] },
    });
    expect(result.suppressed).toEqual([]);
    expect(result.deliveries[0]).toMatchObject({ channel: 'slack', fallbackChannel: null });
  });
});
