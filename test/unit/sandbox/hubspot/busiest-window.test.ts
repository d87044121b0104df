import { describe, expect, it } from 'vitest';
import { BusiestWindow } from '../../../../sandbox/hubspot/stats.js';

describe('the busiest 10 s of requests', () => {
  it('counts the requests in the window ending at each one, forgetting those older than the window', () => {
    const window = new BusiestWindow(10_000);
    expect([0, 1_000, 9_999].map((t) => window.add(t))).toEqual([1, 2, 3]);
    // 10 s after the first, the first has left the window.
    expect(window.add(10_000)).toBe(3);
    expect(window.add(25_000)).toBe(1);
  });

  it('stays correct over many requests (old ones are dropped, not kept)', () => {
    const window = new BusiestWindow(10_000);
    let peak = 0;
    // 20 requests a second for 5 minutes, then a burst of 500 within one second.
    for (let t = 0; t < 300_000; t += 50) peak = Math.max(peak, window.add(t));
    expect(peak).toBe(200);
    for (let i = 0; i < 500; i++) peak = Math.max(peak, window.add(300_000 + i * 2));
    // The burst plus the 10 s of steady traffic before it that is still inside the window.
    expect(peak).toBe(500 + 180);
    window.reset();
    expect(window.add(400_000)).toBe(1);
  });
});
