import { describe, expect, it } from 'vitest';
import { describeSchedule, nextSlot, topicIdSchema, topicSchema, type TopicSchedule } from '../../../domain/topics.js';

const at = (iso: string) => new Date(iso);
const slot = (s: TopicSchedule, zone: string, now: string) => nextSlot(s, zone, at(now))?.toISOString() ?? null;

describe('topic schedules in words', () => {
  it('says when, in the contact’s own time zone', () => {
    expect(describeSchedule({ kind: 'weekdays', time: '08:30' })).toBe('weekdays 08:30 in your time zone');
    expect(describeSchedule({ kind: 'weekly', day: 'mon', time: '07:00' })).toBe('Mondays 07:00 in your time zone');
    expect(describeSchedule({ kind: 'daily', time: '18:00' })).toBe('daily 18:00 in your time zone');
    expect(describeSchedule(null)).toBe('as it happens');
  });
});

describe('the next announced slot', () => {
  const weekdays: TopicSchedule = { kind: 'weekdays', time: '08:30' };

  it('as it happens: no slot', () => {
    expect(nextSlot(null, 'Europe/London', at('2026-12-07T10:00:00Z'))).toBeNull();
  });

  it('later today when the time has not passed, in the contact’s zone', () => {
    // Monday 7 Dec 2026, 06:00 in New York (11:00 UTC): 08:30 EST is 13:30 UTC.
    expect(slot(weekdays, 'America/New_York', '2026-12-07T11:00:00Z')).toBe('2026-12-07T13:30:00.000Z');
    // The same instant in Tokyo is 20:00 Monday: next is Tuesday 08:30 JST = Monday 23:30 UTC.
    expect(slot(weekdays, 'Asia/Tokyo', '2026-12-07T11:00:00Z')).toBe('2026-12-07T23:30:00.000Z');
  });

  it('an instant exactly on the slot is that slot', () => {
    expect(slot(weekdays, 'UTC', '2026-12-07T08:30:00Z')).toBe('2026-12-07T08:30:00.000Z');
  });

  it('weekdays skip the weekend: Friday evening -> Monday', () => {
    // Friday 11 Dec 2026, 18:00 London.
    expect(slot(weekdays, 'Europe/London', '2026-12-11T18:00:00Z')).toBe('2026-12-14T08:30:00.000Z');
  });

  it('weekly: the named day, a week on when this week’s slot has passed', () => {
    const mondays: TopicSchedule = { kind: 'weekly', day: 'mon', time: '07:00' };
    expect(slot(mondays, 'Europe/Paris', '2026-12-09T12:00:00Z')).toBe('2026-12-14T06:00:00.000Z');
    expect(slot(mondays, 'Europe/Paris', '2026-12-07T06:00:01Z')).toBe('2026-12-14T06:00:00.000Z');
  });

  it('follows DST: the same 08:30 local is a different UTC hour before and after the change', () => {
    // Europe/London moves to BST on Sunday 29 March 2026.
    expect(slot(weekdays, 'Europe/London', '2026-03-27T12:00:00Z')).toBe('2026-03-30T07:30:00.000Z');
    expect(slot(weekdays, 'Europe/London', '2026-03-26T12:00:00Z')).toBe('2026-03-27T08:30:00.000Z');
    // Back to GMT on Sunday 25 October 2026.
    expect(slot(weekdays, 'Europe/London', '2026-10-23T12:00:00Z')).toBe('2026-10-26T08:30:00.000Z');
  });

  it('a slot in the spring-forward gap moves later by the gap; one in the repeated hour takes the first', () => {
    const early: TopicSchedule = { kind: 'daily', time: '02:30' };
    // New York skips 02:00-03:00 on 8 March 2026: 02:30 becomes 03:30 EDT = 07:30 UTC.
    expect(slot(early, 'America/New_York', '2026-03-08T05:00:00Z')).toBe('2026-03-08T07:30:00.000Z');
    const repeated: TopicSchedule = { kind: 'daily', time: '01:30' };
    // 1 November 2026 repeats 01:00-02:00: the first 01:30 is EDT = 05:30 UTC.
    expect(slot(repeated, 'America/New_York', '2026-11-01T04:00:00Z')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('refuses an unknown zone', () => {
    expect(() => nextSlot(weekdays, 'Mars/Olympus', at('2026-12-07T00:00:00Z'))).toThrow(/IANA/);
  });
});

describe('topic definitions', () => {
  it('ids are lower-cased slugs, the key topic caps and subscription mappings use', () => {
    expect(topicIdSchema.parse('  Rates ')).toBe('rates');
    expect(topicIdSchema.safeParse('fx daily').success).toBe(false);
    expect(topicIdSchema.safeParse('').success).toBe(false);
    expect(topicIdSchema.safeParse('-x').success).toBe(false);
  });

  it('fills defaults and names the field at fault', () => {
    expect(topicSchema.parse({ id: 'rates', name: 'Rates' })).toEqual({
      id: 'rates',
      name: 'Rates',
      description: '',
      defaultChannels: ['email'],
      schedule: null,
      urgentAllowed: false,
    });
    const bad = topicSchema.safeParse({ id: 'rates', name: 'Rates', schedule: { kind: 'weekly', time: '07:00' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['schedule', 'day']);
    const badTime = topicSchema.safeParse({ id: 'r', name: 'R', schedule: { kind: 'daily', time: '8:30' } });
    expect(badTime.error!.issues[0]!.message).toMatch(/HH:MM/);
    expect(topicSchema.safeParse({ id: 'r', name: 'R', defaultChannels: ['fax'] }).success).toBe(false);
    expect(topicSchema.safeParse({ id: 'r', name: 'R', extra: 1 }).success).toBe(false);
  });
});
