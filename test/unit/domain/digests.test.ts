import { describe, expect, it } from 'vitest';
import { wallTimeAt } from '../../../domain/audience/time-zone.js';
import {
  digestChannel,
  digestSlot,
  groupDigestSlots,
  quietHoldUntil,
  rowsForDigest,
  shortDigestText,
  UNSCHEDULED_DIGEST_TIME,
  type DigestRow,
} from '../../../domain/digests.js';
import { sendTimeDeferrals } from '../../../domain/preferences.js';

const WEEKDAYS_0830 = { kind: 'weekdays', time: '08:30' } as const;
const local = (at: Date, zone: string) => {
  const w = wallTimeAt(at.getTime(), zone);
  const day = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  return { day, hhmm: `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`, date: w.day };
};

describe('digestSlot', () => {
  // Wednesday 9 Dec 2026, 10:00 in London: past that day's 08:30.
  const wed = new Date('2026-12-09T10:00:00Z');

  it('daily: the next announced slot in the contact zone', () => {
    const at = digestSlot('daily', WEEKDAYS_0830, 'Europe/London', wed);
    expect(local(at, 'Europe/London')).toEqual({ day: 4, hhmm: '08:30', date: 10 });
    // New York's 08:30 that same Wednesday is still ahead.
    const ny = digestSlot('daily', WEEKDAYS_0830, 'America/New_York', wed);
    expect(local(ny, 'America/New_York')).toEqual({ day: 3, hhmm: '08:30', date: 9 });
  });

  it("weekly: the week's first slot (weekdays 08:30 -> Monday 08:30), not the next weekday", () => {
    const at = digestSlot('weekly', WEEKDAYS_0830, 'Europe/London', wed);
    expect(local(at, 'Europe/London')).toEqual({ day: 1, hhmm: '08:30', date: 14 });
    // On a Monday before 08:30, that Monday's slot is the week's first.
    const monEarly = new Date('2026-12-14T07:00:00Z');
    expect(digestSlot('weekly', WEEKDAYS_0830, 'Europe/London', monEarly).toISOString()).toBe(
      '2026-12-14T08:30:00.000Z',
    );
  });

  it('weekly on a weekly schedule is that schedule; a weekend-only daily schedule starts its week on Monday', () => {
    const fridays = { kind: 'weekly', day: 'fri', time: '16:00' } as const;
    expect(local(digestSlot('weekly', fridays, 'UTC', wed), 'UTC')).toEqual({ day: 5, hhmm: '16:00', date: 11 });
    const daily = { kind: 'daily', time: '07:00' } as const;
    expect(local(digestSlot('weekly', daily, 'UTC', wed), 'UTC')).toEqual({ day: 1, hhmm: '07:00', date: 14 });
  });

  it('a topic without schedule has its digests at the default time; an unknown zone takes UTC', () => {
    const at = digestSlot('daily', null, 'Asia/Tokyo', wed);
    expect(local(at, 'Asia/Tokyo').hhmm).toBe(UNSCHEDULED_DIGEST_TIME);
    expect(digestSlot('daily', WEEKDAYS_0830, 'Not/AZone', wed).toISOString()).toBe('2026-12-10T08:30:00.000Z');
  });
});

describe('groupDigestSlots', () => {
  it('one group per (mode, instant), earliest first; zones with the same offset share one', () => {
    const from = new Date('2026-12-09T10:00:00Z');
    const groups = groupDigestSlots(
      [
        { mode: 'daily', zone: 'Europe/London' },
        { mode: 'daily', zone: 'Europe/Dublin' },
        { mode: 'weekly', zone: 'Europe/London' },
        { mode: 'daily', zone: 'America/New_York' },
      ],
      WEEKDAYS_0830,
      from,
    );
    expect(groups).toEqual([
      { at: '2026-12-09T13:30:00.000Z', mode: 'daily', zones: ['America/New_York'] },
      { at: '2026-12-10T08:30:00.000Z', mode: 'daily', zones: ['Europe/London', 'Europe/Dublin'] },
      { at: '2026-12-14T08:30:00.000Z', mode: 'weekly', zones: ['Europe/London'] },
    ]);
  });
});

describe('rowsForDigest', () => {
  const row = (over: Partial<DigestRow>): DigestRow => ({
    alertId: 'alr_1',
    contactId: 'c1',
    status: 'digest',
    digestId: null,
    digestAt: '2026-12-10T08:30:00.000Z',
    channel: 'email',
    address: 'a@x.example',
    approvedAt: '2026-12-09T09:00:00.000Z',
    ...over,
  });
  const slot = new Date('2026-12-10T08:30:00.000Z');

  it('takes every waiting row due by the slot in no digest yet, oldest alert first, a missed earlier one included', () => {
    const rows = [
      row({ alertId: 'alr_3', approvedAt: '2026-12-09T15:00:00.000Z' }),
      row({ alertId: 'alr_1' }),
      row({ alertId: 'alr_0', digestAt: '2026-12-08T08:30:00.000Z', approvedAt: '2026-12-07T09:00:00.000Z' }),
      row({ alertId: 'alr_late', digestAt: '2026-12-11T08:30:00.000Z' }),
      row({ alertId: 'alr_taken', digestId: 7 }),
      row({ alertId: 'alr_sent', status: 'sent' }),
      row({ alertId: 'alr_1' }),
    ];
    expect(rowsForDigest(rows, slot).map((r) => r.alertId)).toEqual(['alr_0', 'alr_1', 'alr_3']);
  });
});

describe('digestChannel', () => {
  it('email when any row is an email, else the newest row channel; none for no rows', () => {
    expect(
      digestChannel([
        { channel: 'sms', address: '+15550001' },
        { channel: 'email', address: 'a@x.example' },
      ]),
    ).toEqual({ channel: 'email', address: 'a@x.example' });
    expect(
      digestChannel([
        { channel: 'sms', address: '+15550001' },
        { channel: 'slack', address: 'U1' },
      ]),
    ).toEqual({ channel: 'slack', address: 'U1' });
    expect(digestChannel([])).toBeNull();
  });
});

describe('quiet hours at send', () => {
  const night = { start: '21:00', end: '08:00' };
  const late = { start: '20:00', end: '09:30' };

  it('holds until the later end of the organisation and the customer own window', () => {
    const now = new Date('2026-12-09T22:00:00Z');
    expect(quietHoldUntil(now, 'UTC', night, null)).toBe('2026-12-10T08:00:00.000Z');
    expect(quietHoldUntil(now, 'UTC', night, late)).toBe('2026-12-10T09:30:00.000Z');
    expect(quietHoldUntil(now, 'UTC', null, late)).toBe('2026-12-10T09:30:00.000Z');
    expect(quietHoldUntil(new Date('2026-12-09T12:00:00Z'), 'UTC', night, late)).toBeNull();
    expect(quietHoldUntil(now, null, night, late)).toBeNull();
  });

  it('sendTimeDeferrals: a contact own quiet hours hold their row though the organisation has none', () => {
    const now = new Date('2026-12-09T20:30:00Z');
    const rows = [
      { contactId: 'own', timeZone: 'UTC', deliverAfter: null },
      { contactId: 'none', timeZone: 'UTC', deliverAfter: null },
      { contactId: 'later', timeZone: 'UTC', deliverAfter: '2026-12-11T00:00:00.000Z' },
    ];
    const own = new Map([
      ['own', late],
      ['later', late],
    ]);
    expect(sendTimeDeferrals(rows, null, own, now)).toEqual([
      { contactId: 'own', deliverAfter: '2026-12-10T09:30:00.000Z' },
    ]);
    // With the organisation's night too, everyone is held; the stricter (later) end wins for "own".
    expect(sendTimeDeferrals(rows, night, own, new Date('2026-12-09T21:30:00Z'))).toEqual([
      { contactId: 'own', deliverAfter: '2026-12-10T09:30:00.000Z' },
      { contactId: 'none', deliverAfter: '2026-12-10T08:00:00.000Z' },
    ]);
  });
});

describe('shortDigestText', () => {
  it('counts the updates and lists titles within the limit', () => {
    expect(shortDigestText(['Rates up', 'Branch closed'])).toEqual({
      title: 'Your digest: 2 updates',
      body: '- Rates up\n- Branch closed',
    });
    const long = shortDigestText(
      Array.from({ length: 50 }, (_, i) => `Update number ${i} with a fairly long title`),
      200,
    );
    expect(long.body.length).toBeLessThan(260);
    expect(long.body).toMatch(/- and \d+ more$/);
  });
});
