import { describe, expect, it } from 'vitest';
import { refuseDecision, type ApprovalState, type Decision } from '../../../../domain/broadcast/decision-rules.js';
import {
  groupBySlot,
  sendTimingWords,
  timingLines,
  type SendTiming,
} from '../../../../domain/broadcast/send-timing.js';
import type { TopicSchedule } from '../../../../domain/topics.js';

const weekdays0830: TopicSchedule = { kind: 'weekdays', time: '08:30' };
// Monday 7 Dec 2026, 12:00 UTC: London's 08:30 today has passed, New York's (13:30 UTC) has not.
const monNoon = new Date('2026-12-07T12:00:00Z');

describe('groupBySlot', () => {
  it('puts each time zone at its own next announced slot, earliest first', () => {
    const groups = groupBySlot(['Europe/London', 'America/New_York', 'Asia/Tokyo'], weekdays0830, monNoon);
    expect(groups).toEqual([
      { at: '2026-12-07T13:30:00.000Z', zones: ['America/New_York'] },
      { at: '2026-12-07T23:30:00.000Z', zones: ['Asia/Tokyo'] }, // Tue 08:30 in Tokyo
      { at: '2026-12-08T08:30:00.000Z', zones: ['Europe/London'] }, // Tue 08:30 in London
    ]);
  });

  it('shares one group (one timer) between zones whose slot is the same instant', () => {
    const groups = groupBySlot(['Europe/London', 'Europe/Lisbon', 'UTC', 'Europe/Paris'], weekdays0830, monNoon);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toEqual({ at: '2026-12-08T07:30:00.000Z', zones: ['Europe/Paris'] });
    expect(groups[1]!.at).toBe('2026-12-08T08:30:00.000Z');
    expect(groups[1]!.zones.sort()).toEqual(['Europe/Lisbon', 'Europe/London', 'UTC']);
  });

  it('skips the weekend of a weekdays schedule and keeps a slot that is exactly now', () => {
    const friEvening = new Date('2026-12-11T18:00:00Z');
    expect(groupBySlot(['UTC'], weekdays0830, friEvening)[0]!.at).toBe('2026-12-14T08:30:00.000Z');
    const atSlot = new Date('2026-12-07T08:30:00Z');
    expect(groupBySlot(['UTC'], weekdays0830, atSlot)[0]!.at).toBe('2026-12-07T08:30:00.000Z');
  });

  it('holds nobody when the topic has no schedule or the alert is urgent', () => {
    expect(groupBySlot(['UTC'], null, monNoon)).toEqual([]);
    expect(groupBySlot(['UTC'], weekdays0830, monNoon, { urgent: true })).toEqual([]);
  });

  it('gives a zone the runtime does not know the UTC slot instead of failing the dispatch', () => {
    expect(groupBySlot(['Mars/Olympus_Mons'], weekdays0830, monNoon)).toEqual([
      { at: '2026-12-08T08:30:00.000Z', zones: ['Mars/Olympus_Mons'] },
    ]);
  });
});

describe('sendTimingWords', () => {
  const timing = (timeZones: Record<string, number>, extra: Partial<SendTiming> = {}): SendTiming => ({
    schedule: weekdays0830,
    urgentAllowed: false,
    timeZones,
    ...extra,
  });

  it('says how many go at which local time and day, zones with the same local slot together', () => {
    // Sunday 6 Dec 20:00 UTC: everyone's next weekday 08:30 is Monday 7 Dec, local.
    const sun = new Date('2026-12-06T20:00:00Z');
    expect(sendTimingWords(timing({ 'Europe/London': 1000, 'America/New_York': 204 }), sun)).toBe(
      '1,204 at 08:30 local time on Mon 7 Dec',
    );
  });

  it('splits by local day when the slot falls on different days', () => {
    expect(timingLines(timing({ 'America/New_York': 12, 'Europe/London': 1204 }), monNoon)).toEqual([
      { count: 12, when: 'at 08:30 local time on Mon 7 Dec' },
      { count: 1204, when: 'at 08:30 local time on Tue 8 Dec' },
    ]);
  });

  it('says how many wait for their daily or weekly digest, and that urgent sends them at once too', () => {
    const sun = new Date('2026-12-06T20:00:00Z');
    const t = timing({ 'Europe/London': 400 }, { urgentAllowed: true, digests: { daily: 300, weekly: 200 } });
    expect(sendTimingWords(t, sun)).toBe(
      '400 at 08:30 local time on Mon 7 Dec; 300 in their daily digest, 200 in their weekly digest (their choice); or all 900 now if marked urgent',
    );
    expect(sendTimingWords(t, sun, true)).toBe('900 now (urgent)');
    expect(sendTimingWords(timing({}, { digests: { daily: 3, weekly: 0 } }), sun)).toBe(
      '3 in their daily digest (their choice)',
    );
  });

  it('offers the urgent alternative before the decision, and says urgent after it', () => {
    const t = timing({ 'Europe/London': 1204, 'Asia/Tokyo': 12 }, { urgentAllowed: true });
    expect(sendTimingWords(t, monNoon)).toBe(
      '1,216 at 08:30 local time on Tue 8 Dec; or all 1,216 now if marked urgent',
    );
    expect(sendTimingWords(t, monNoon, false, true)).toBe('1,216 at 08:30 local time on Tue 8 Dec');
    expect(sendTimingWords(t, monNoon, true)).toBe('1,216 now (urgent)');
  });

  it('says "as it happens" for a topic without schedule', () => {
    expect(sendTimingWords(timing({ UTC: 3 }, { schedule: null }), monNoon)).toBe('3 now (as it happens)');
  });
});

describe('urgent decisions', () => {
  const state: ApprovalState = {
    phase: 'awaiting_approval',
    requester: 'ana@bank.example',
    approvers: ['bo@bank.example'],
    version: 1,
  };
  const approve: Decision = { approver: 'bo@bank.example', decision: 'approve', via: 'api', urgent: true };

  it('is refused, naming the field, when the topic does not allow it', () => {
    expect(refuseDecision(state, approve)).toMatchObject({ code: 'VALIDATION', field: 'urgent' });
    expect(refuseDecision({ ...state, urgentAllowed: false }, approve)?.message).toMatch(/does not allow urgent/);
  });

  it('is taken when the topic allows it, and never on a rejection', () => {
    expect(refuseDecision({ ...state, urgentAllowed: true }, approve)).toBeNull();
    expect(
      refuseDecision({ ...state, urgentAllowed: true }, { ...approve, decision: 'reject', reason: 'no' }),
    ).toMatchObject({ field: 'urgent' });
  });

  it('still checks who decides first: a stranger learns nothing about the topic', () => {
    expect(refuseDecision(state, { ...approve, approver: 'eve@x.example' })).toMatchObject({ code: 'FORBIDDEN' });
  });
});
