import { describe, expect, it } from 'vitest';
import {
  checkPreferenceLink,
  contactPreferencesSchema,
  deliveryModeFor,
  diffPreferences,
  EMPTY_PREFERENCES,
  parsePreferenceForm,
  parsePreferenceLinkId,
  preferenceLinkId,
  PreferenceFormError,
  readPreferences,
  stricterQuietHoursEnd,
  summarizePreferences,
  writePreferences,
  type ContactPreferences,
} from '../../../domain/preferences.js';

const ctx = (current: ContactPreferences = EMPTY_PREFERENCES) => ({
  topicIds: ['rates', 'products'],
  channels: ['email', 'sms'] as ('email' | 'sms')[],
  current,
});

describe('the preference form', () => {
  it('reads every setting', () => {
    const p = parsePreferenceForm(
      {
        'topic.rates.enabled': 'off',
        'topic.products.enabled': 'on',
        'topic.products.channel': 'sms',
        'topic.products.delivery': 'weekly',
        timeZone: 'europe/paris',
        quietStart: '22:00',
        quietEnd: '07:30',
        capMax: '3',
        capWindow: '24',
      },
      ctx(),
    );
    expect(p).toEqual({
      topics: {
        rates: { enabled: false, channel: null, delivery: 'immediate' },
        products: { enabled: true, channel: 'sms', delivery: 'weekly' },
      },
      timeZone: 'Europe/Paris',
      quietHours: { start: '22:00', end: '07:30' },
      frequencyCap: { maxPerWindow: 3, windowHours: 24 },
      unsubscribedAll: false,
    });
    expect(contactPreferencesSchema.parse(p)).toEqual(p);
  });

  it('refuses, naming the field: a channel they cannot be reached on, a bad zone, time, cap or on/off', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'topic.rates.enabled': 'on', 'topic.rates.channel': 'slack' }, 'topic.rates.channel'],
      [{ 'topic.rates.enabled': 'maybe' }, 'topic.rates.enabled'],
      [{ 'topic.rates.enabled': 'on', 'topic.rates.delivery': 'hourly' }, 'topic.rates.delivery'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ quietStart: '25:00', quietEnd: '07:00' }, 'quietStart'],
      [{ quietStart: '22:00' }, 'quietEnd'],
      [{ capMax: '0' }, 'capMax'],
      [{ capMax: '5', capWindow: '1' }, 'capWindow'],
    ];
    for (const [form, field] of cases) {
      let caught: unknown;
      try {
        parsePreferenceForm(form, ctx());
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toBeInstanceOf(PreferenceFormError);
      expect((caught as PreferenceFormError).field).toBe(field);
    }
  });

  it('topics not in the form, and topics outside the catalogue, are left as they were', () => {
    const current = {
      ...EMPTY_PREFERENCES,
      topics: { markets: { enabled: false, channel: null, delivery: 'daily' as const } },
    };
    const p = parsePreferenceForm({ 'topic.markets.enabled': 'on', 'topic.rates.enabled': 'off' }, ctx(current));
    expect(p.topics.markets).toEqual(current.topics.markets);
    expect(p.topics.rates?.enabled).toBe(false);
    expect(p.topics.products).toBeUndefined();
  });
});

describe('what changed', () => {
  it('lists each change in words; the same choices again change nothing', () => {
    const before = EMPTY_PREFERENCES;
    const after: ContactPreferences = {
      ...EMPTY_PREFERENCES,
      topics: { rates: { enabled: false, channel: null, delivery: 'immediate' } },
      quietHours: { start: '22:00', end: '07:00' },
      unsubscribedAll: true,
    };
    expect(diffPreferences(before, after, { rates: 'Rates' }).map((c) => c.text)).toEqual([
      'Rates: off',
      'Quiet hours: 22:00-07:00',
      'Unsubscribed from everything',
    ]);
    expect(diffPreferences(after, after)).toEqual([]);
    // A topic set to its default is no change from never setting it.
    const explicitDefault = {
      ...EMPTY_PREFERENCES,
      topics: { rates: { enabled: true, channel: null, delivery: 'immediate' as const } },
    };
    expect(diffPreferences(EMPTY_PREFERENCES, explicitDefault)).toEqual([]);
    expect(writePreferences(explicitDefault)).toBe(writePreferences(EMPTY_PREFERENCES));
  });

  it('summarises for the CRM, the add-in and Slack', () => {
    const p: ContactPreferences = {
      ...EMPTY_PREFERENCES,
      topics: { products: { enabled: true, channel: 'sms', delivery: 'daily' } },
      frequencyCap: { maxPerWindow: 2, windowHours: 24 },
    };
    expect(summarizePreferences(p, { products: 'Products' })).toEqual([
      'Products: on, SMS, daily digest',
      'Most alerts: at most 2 per day',
    ]);
    expect(summarizePreferences({ ...p, unsubscribedAll: true })).toEqual(['Unsubscribed from everything']);
  });
});

describe('stored form', () => {
  it('round-trips, and anything unreadable is no preferences rather than a crash', () => {
    const p: ContactPreferences = {
      ...EMPTY_PREFERENCES,
      topics: { rates: { enabled: false, channel: 'email', delivery: 'weekly' } },
      timeZone: 'Asia/Tokyo',
    };
    expect(readPreferences(writePreferences(p))).toEqual(p);
    expect(readPreferences(JSON.parse(writePreferences(p)))).toEqual(p);
    for (const bad of ['{', 'null', '', '{"topics":{"rates":{"enabled":"yes"}}}', 42, null, undefined])
      expect(readPreferences(bad)).toEqual(EMPTY_PREFERENCES);
  });

  it('delivery mode per topic, for digests: off counts as immediate', () => {
    const p: ContactPreferences = {
      ...EMPTY_PREFERENCES,
      topics: {
        rates: { enabled: true, channel: null, delivery: 'daily' },
        products: { enabled: false, channel: null, delivery: 'weekly' },
      },
    };
    expect(deliveryModeFor(p, 'Rates')).toBe('daily');
    expect(deliveryModeFor(p, 'products')).toBe('immediate');
    expect(deliveryModeFor(p, 'markets')).toBe('immediate');
  });
});

describe('the stricter quiet hours', () => {
  const at = (iso: string) => new Date(iso);
  it('neither window: not held; overlapping windows chain to the last end', () => {
    expect(stricterQuietHoursEnd(at('2026-11-24T12:00:00Z'), 'UTC', { start: '21:00', end: '08:00' }, null)).toBeNull();
    // 07:00: the org holds until 08:00, where the customer's 07:30-09:00 takes over until 09:00.
    expect(
      new Date(
        stricterQuietHoursEnd(
          at('2026-11-24T07:00:00Z'),
          'UTC',
          { start: '21:00', end: '08:00' },
          { start: '07:30', end: '09:00' },
        )!,
      ).toISOString(),
    ).toBe('2026-11-24T09:00:00.000Z');
    expect(stricterQuietHoursEnd(at('2026-11-24T12:00:00Z'), 'UTC', null, null)).toBeNull();
  });
});

describe('the preference link', () => {
  it('carries the contact and the time it was issued', () => {
    const issued = new Date('2026-12-01T10:00:00Z');
    const id = preferenceLinkId('12345', issued);
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,40}$/);
    expect(parsePreferenceLinkId(id)).toEqual({ contactId: '12345', issuedAt: issued });
    expect(parsePreferenceLinkId('12345')).toBeNull();
    expect(() => preferenceLinkId('a_b', issued)).toThrow(RangeError);
  });

  it('expires by age, is revoked by a later revocation, is refused from the future', () => {
    const issued = new Date('2026-12-01T10:00:00Z');
    const day = 86_400_000;
    expect(checkPreferenceLink(issued, new Date(issued.getTime() + 29 * day), 30, null)).toEqual({ ok: true });
    expect(checkPreferenceLink(issued, new Date(issued.getTime() + 31 * day), 30, null)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      checkPreferenceLink(issued, new Date(issued.getTime() + day), 30, new Date(issued.getTime() + 1000)),
    ).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(
      checkPreferenceLink(issued, new Date(issued.getTime() + day), 30, new Date(issued.getTime() - 1000)),
    ).toEqual({
      ok: true,
    });
    expect(checkPreferenceLink(new Date(issued.getTime() + 3_600_000), issued, 30, null)).toMatchObject({ ok: false });
  });
});
