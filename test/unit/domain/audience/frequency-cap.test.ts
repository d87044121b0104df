import { describe, expect, it } from 'vitest';
import { overCapAtSend, type CountedAtSend, type FrequencyCap } from '../../../../domain/audience/frequency-cap.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
/** A per-topic cap of 1 a week on "rates", as the user in issue 11 configured it; plenty overall. */
const RATES_ONCE: FrequencyCap = {
  maxPerWindow: 1000,
  windowHours: 1,
  perTopic: { rates: { maxPerWindow: 1, windowHours: 168 } },
};
const sent = (contactId: string, alertId: string, topic: string, at: string): CountedAtSend => ({
  contactId,
  alertId,
  topic,
  sentAt: at,
});
const admitted = (contactId: string, alertId: string, topic: string): CountedAtSend => ({
  contactId,
  alertId,
  topic,
  sentAt: null,
});

describe('overCapAtSend', () => {
  it('refuses a contact another alert on the topic was admitted to and has not reached yet', () => {
    // The second of two alerts approved at the same moment: the first holds the contact's place.
    const over = overCapAtSend(
      ['c1', 'c2'],
      [admitted('c1', 'A', 'rates')],
      { id: 'B', topic: 'rates' },
      RATES_ONCE,
      NOW,
    );
    expect(over).toEqual([{ contactId: 'c1', detail: expect.stringMatching(/^at send time: .*topic cap is 1/) }]);
  });

  it('admits everyone when nothing else counts, and a contact whose only alerts are on other topics', () => {
    expect(overCapAtSend(['c1', 'c2'], [], { id: 'B', topic: 'rates' }, RATES_ONCE, NOW)).toEqual([]);
    const counted = [admitted('c1', 'A', 'fx'), sent('c2', 'C', 'promotions', hoursAgo(0.5))];
    expect(overCapAtSend(['c1', 'c2'], counted, { id: 'B', topic: 'rates' }, RATES_ONCE, NOW)).toEqual([]);
  });

  it('counts a send by its time: inside the window it refuses, outside it does not', () => {
    const counted = [sent('c1', 'A', 'Rates ', hoursAgo(167)), sent('c2', 'A', 'rates', hoursAgo(169))];
    const over = overCapAtSend(['c1', 'c2'], counted, { id: 'B', topic: 'RATES' }, RATES_ONCE, NOW);
    expect(over.map((o) => o.contactId)).toEqual(['c1']);
  });

  it('an admitted alert counts as sent now, inside even the shortest window', () => {
    const cap: FrequencyCap = { maxPerWindow: 1, windowHours: 0.01 };
    const over = overCapAtSend(['c1'], [admitted('c1', 'A', 'fx')], { id: 'B', topic: 'rates' }, cap, NOW);
    expect(over).toEqual([{ contactId: 'c1', detail: expect.stringContaining('cap is 1') }]);
  });

  it('counts alerts, not rows: a retried or fallen-back send of one alert is one alert', () => {
    const cap: FrequencyCap = { maxPerWindow: 2, windowHours: 24 };
    const counted = [sent('c1', 'A', 'fx', hoursAgo(2)), sent('c1', 'A', 'fx', hoursAgo(1)), admitted('c1', 'A', 'fx')];
    expect(overCapAtSend(['c1'], counted, { id: 'B', topic: 'rates' }, cap, NOW)).toEqual([]);
    const more = [...counted, sent('c1', 'C', 'promotions', hoursAgo(3))];
    expect(overCapAtSend(['c1'], more, { id: 'B', topic: 'rates' }, cap, NOW).map((o) => o.contactId)).toEqual(['c1']);
  });

  it("leaves the alert's own rows out, so judging it again gives the same answer", () => {
    const counted = [admitted('c1', 'B', 'rates'), sent('c2', 'B', 'rates', hoursAgo(1))];
    expect(overCapAtSend(['c1', 'c2'], counted, { id: 'B', topic: 'rates' }, RATES_ONCE, NOW)).toEqual([]);
  });

  it('judges each contact on its own history only', () => {
    const counted = [admitted('c1', 'A', 'rates'), admitted('c1', 'C', 'rates')];
    const over = overCapAtSend(['c1', 'c2', 'c3'], counted, { id: 'B', topic: 'rates' }, RATES_ONCE, NOW);
    expect(over.map((o) => o.contactId)).toEqual(['c1']);
    expect(over[0]!.detail).toContain('2 "rates" alert(s)');
  });

  it('a cap of 0 refuses everyone, with or without history', () => {
    const muted: FrequencyCap = {
      maxPerWindow: 5,
      windowHours: 24,
      perTopic: { promotions: { maxPerWindow: 0, windowHours: 24 } },
    };
    const over = overCapAtSend(['c1', 'c2'], [], { id: 'B', topic: 'promotions' }, muted, NOW);
    expect(over.map((o) => o.contactId)).toEqual(['c1', 'c2']);
  });
});
