import { describe, expect, it } from 'vitest';
import { when } from '../../../../../outlook-addin/src/components/format.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 86_400_000;

describe('when', () => {
  it('says when a follow-up is due, ahead or past', () => {
    expect(when(new Date(NOW + 7 * DAY).toISOString(), NOW)).toBe('in 7 days');
    expect(when(new Date(NOW + DAY).toISOString(), NOW)).toBe('in a day');
    expect(when(new Date(NOW + 3 * 3600_000).toISOString(), NOW)).toBe('within a day');
    expect(when(new Date(NOW - 3 * DAY).toISOString(), NOW)).toBe('3 days ago');
    expect(when(new Date(NOW + 90 * DAY).toISOString(), NOW)).toMatch(/2027/);
  });
});
