import { describe, expect, it } from 'vitest';
import { PeakWindow } from '../../../../sandbox/hubspot/rate-limits.js';

describe('PeakWindow', () => {
  it('keeps the most requests seen in any rolling window', () => {
    const w = new PeakWindow(10_000);
    for (const at of [0, 1_000, 2_000, 9_999]) w.add(at);
    expect(w.peak).toBe(4);
    // 0 leaves the window at 10 s: 1 s, 2 s, 9.999 s, 10 s, 10.5 s are five in (0.5 s, 10.5 s].
    w.add(10_000);
    expect(w.peak).toBe(4);
    w.add(10_500);
    expect(w.peak).toBe(5);
    // A quiet spell does not lower the peak.
    w.add(60_000);
    expect(w.peak).toBe(5);
    w.reset();
    expect(w.peak).toBe(0);
  });
});
