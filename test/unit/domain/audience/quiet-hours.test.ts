import { describe, expect, it } from 'vitest';
import {
  applyContactPolicy,
  contactPolicySchema,
  dedupeAudience,
  parseContactTimeZone,
  policyContextSchema,
  quietHoursDeferrals,
  quietHoursEnd,
  zonedTimeToInstant,
} from '../../../../domain/audience/index.js';
import { contact, on } from './fixtures.js';

const NIGHT = { start: '21:00', end: '08:00' };
const at = (iso: string) => new Date(iso);
const endIso = (now: string, zone: string, quiet = NIGHT) => {
  const end = quietHoursEnd(at(now), zone, quiet);
  return end === null ? null : new Date(end).toISOString();
};

describe('time zones', () => {
  it("reads HubSpot's encoded hs_timezone and plain IANA names", () => {
    expect(parseContactTimeZone('america_slash_new_york')).toBe('America/New_York');
    expect(parseContactTimeZone('america_slash_port_hyphen_au_hyphen_prince')).toBe('America/Port-au-Prince');
    // ICU may canonicalise a link to its target (America/Buenos_Aires); either names the same zone.
    expect(parseContactTimeZone('america_slash_argentina_slash_buenos_aires')).toMatch(
      /^America\/(Argentina\/)?Buenos_Aires$/,
    );
    expect(parseContactTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(parseContactTimeZone('mars_slash_olympus')).toBeNull();
    expect(parseContactTimeZone('')).toBeNull();
  });

  it('turns wall-clock times into instants across DST gaps and overlaps', () => {
    const ny = 'America/New_York';
    // 02:30 does not exist on 2026-03-08 in New York: moves to 03:30 EDT.
    expect(
      new Date(zonedTimeToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 }, ny)).toISOString(),
    ).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 2026-11-01: the earlier (EDT) one.
    expect(
      new Date(zonedTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 }, ny)).toISOString(),
    ).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('quiet hours', () => {
  it('delays an evening delivery to 08:00 the next morning in the contact zone', () => {
    // 21:30 EST on 2026-11-23.
    expect(endIso('2026-11-24T02:30:00Z', 'America/New_York')).toBe('2026-11-24T13:00:00.000Z');
  });

  it('delays an early-morning delivery to 08:00 the same day', () => {
    // 05:15 in Tokyo (UTC+9, no DST).
    expect(endIso('2026-06-30T20:15:00Z', 'Asia/Tokyo')).toBe('2026-06-30T23:00:00.000Z');
  });

  it('leaves daytime deliveries alone, including the exact end minute', () => {
    expect(endIso('2026-11-24T15:00:00Z', 'America/New_York')).toBeNull();
    expect(endIso('2026-11-24T13:00:00Z', 'America/New_York')).toBeNull();
    expect(endIso('2026-11-24T12:59:00Z', 'America/New_York')).toBe('2026-11-24T13:00:00.000Z');
  });

  it('ends at local 08:00 on a spring-forward night (the night is an hour shorter)', () => {
    // 23:00 EST on 2026-03-07; clocks jump 02:00 -> 03:00; 08:00 EDT is 12:00Z, not 13:00Z.
    expect(endIso('2026-03-08T04:00:00Z', 'America/New_York')).toBe('2026-03-08T12:00:00.000Z');
    // London springs forward 2026-03-29 01:00 UTC: 08:00 BST is 07:00Z.
    expect(endIso('2026-03-28T22:00:00Z', 'Europe/London')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('ends at local 08:00 on a fall-back night (the night is an hour longer)', () => {
    // 22:00 EDT on 2026-10-31; clocks fall back 02:00 -> 01:00; 08:00 EST is 13:00Z.
    expect(endIso('2026-11-01T02:00:00Z', 'America/New_York')).toBe('2026-11-01T13:00:00.000Z');
  });

  it('ends at a time skipped by DST as soon as local time passes it', () => {
    expect(endIso('2026-03-08T04:00:00Z', 'America/New_York', { start: '22:00', end: '02:30' })).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('ends at the second occurrence of a repeated end time when the first is already past', () => {
    // 01:10 EST (second pass through 01:xx); quiet hours end at 01:30, whose EDT occurrence was 05:30Z.
    expect(endIso('2026-11-01T06:10:00Z', 'America/New_York', { start: '23:00', end: '01:30' })).toBe(
      '2026-11-01T06:30:00.000Z',
    );
  });

  it('supports windows that do not span midnight and treats start = end as no window', () => {
    expect(endIso('2026-11-24T13:00:00Z', 'UTC', { start: '12:00', end: '14:00' })).toBe('2026-11-24T14:00:00.000Z');
    expect(endIso('2026-11-24T23:00:00Z', 'UTC', { start: '22:00', end: '22:00' })).toBeNull();
  });

  it('applies the contact zone in the policy, the default zone when the CRM has none or an unreadable one', () => {
    const { recipients } = dedupeAudience([
      on('L', contact('1', 'ny@example.com', { hs_timezone: 'america_slash_new_york' })),
      on('L', contact('2', 'berlin@example.com', { hs_timezone: 'Europe/Berlin' })),
      on('L', contact('3', 'nozone@example.com')),
      on('L', contact('4', 'bad@example.com', { hs_timezone: 'somewhere_slash_else' })),
    ]);
    const policy = contactPolicySchema.parse({ quietHours: NIGHT, defaultTimeZone: 'asia/tokyo' });
    // 03:00Z: 22:00 in New York (quiet), 04:00 in Berlin (quiet), 12:00 in Tokyo (not quiet).
    const context = policyContextSchema.parse({
      now: '2026-11-24T03:00:00Z',
      alert: { id: 'A1', topic: 'rates', channels: ['email'] },
    });
    const { deliveries } = applyContactPolicy(recipients, policy, context);
    expect(deliveries.map((d) => [d.contactId, d.timeZone, d.deliverAfter])).toEqual([
      ['1', 'America/New_York', '2026-11-24T13:00:00.000Z'],
      ['2', 'Europe/Berlin', '2026-11-24T07:00:00.000Z'],
      ['3', 'Asia/Tokyo', null],
      ['4', 'Asia/Tokyo', null],
    ]);
  });
});

describe('quietHoursDeferrals', () => {
  const night = { start: '21:00', end: '08:00' };
  // 23:30 in Tokyo, 09:30 in New York.
  const now = new Date('2026-12-02T14:30:00Z');

  it('holds back, at send time, the rows whose zone is in its quiet hours, until they end there', () => {
    const held = quietHoursDeferrals(
      [
        { contactId: 'tokyo', timeZone: 'Asia/Tokyo', deliverAfter: null },
        { contactId: 'new-york', timeZone: 'America/New_York', deliverAfter: null },
        { contactId: 'no-zone', timeZone: null, deliverAfter: null },
      ],
      night,
      now,
    );
    expect(held).toEqual([{ contactId: 'tokyo', deliverAfter: '2026-12-02T23:00:00.000Z' }]);
  });

  it('keeps a later time a row already has, and holds nothing without quiet hours', () => {
    const later = { contactId: 'tokyo', timeZone: 'Asia/Tokyo', deliverAfter: '2026-12-03T02:00:00.000Z' };
    expect(quietHoursDeferrals([later], night, now)).toEqual([]);
    const earlier = { ...later, deliverAfter: '2026-12-02T12:00:00.000Z' };
    expect(quietHoursDeferrals([earlier], night, now)).toEqual([
      { contactId: 'tokyo', deliverAfter: '2026-12-02T23:00:00.000Z' },
    ]);
    expect(quietHoursDeferrals([earlier], null, now)).toEqual([]);
  });
});
