import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_LAG_MS, Realism, UpdateLag } from '../../../../sandbox/hubspot/realism.js';

describe('sandbox realism switches', () => {
  it('starts with a small search lag and nothing else; set changes only what it names; reset goes back', () => {
    const realism = new Realism();
    expect(realism.current()).toEqual({
      searchLagMs: DEFAULT_SEARCH_LAG_MS,
      partialBatchCreateRate: 0,
      lostCreateResponseRate: 0,
      refuseCustomPropertiesOn: [],
    });
    realism.set({ lostCreateResponseRate: 0.5, refuseCustomPropertiesOn: ['note', '0-49'] });
    expect(realism.current()).toMatchObject({ searchLagMs: DEFAULT_SEARCH_LAG_MS, lostCreateResponseRate: 0.5 });
    expect(realism.refusesCustomProperties('notes')).toBe(true);
    expect(realism.refusesCustomProperties('calls')).toBe(false);
    realism.reset();
    expect(realism.current().lostCreateResponseRate).toBe(0);
    expect(new Realism({ searchLagMs: 0 }).searchLagMs).toBe(0);
  });

  it('draws the same failures from the same seed, at about the rate asked', () => {
    const draws = (seed: number) => {
      const realism = new Realism({ partialBatchCreateRate: 0.1, seed });
      return Array.from({ length: 2_000 }, () => realism.failsInBatch());
    };
    expect(draws(4)).toEqual(draws(4));
    const share = draws(4).filter(Boolean).length / 2_000;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
    expect(new Realism().losesCreateResponse()).toBe(false);
  });

  it('refuses bad switches', () => {
    expect(() => new Realism().set({ lostCreateResponseRate: 2 })).toThrow();
    expect(() => new Realism().set({ refuseCustomPropertiesOn: ['widgets'] })).toThrow(/unknown object type/);
  });
});

describe('UpdateLag', () => {
  it('shows search the values of before an update until the lag has passed', () => {
    const lag = new UpdateLag();
    const before = { email: 'old@x.example' };
    lag.remember('contacts', '101', before, 1_000, 500);
    const current = { email: 'new@x.example' };
    expect(lag.indexed('contacts', '101', current, 1_200)).toEqual(before);
    // A second update within the lag: still the values the index last had.
    lag.remember('contacts', '101', current, 1_300, 500);
    expect(lag.indexed('contacts', '101', { email: 'newer@x.example' }, 1_700)).toEqual(before);
    expect(lag.indexed('contacts', '101', current, 1_801)).toBe(current);
    lag.remember('contacts', '102', before, 0, 0);
    expect(lag.indexed('contacts', '102', current, 0)).toBe(current);
  });
});
