import { describe, expect, it } from 'vitest';
import { createSendSlots } from '../../../../workflows/broadcast/send-slots.js';

describe('send slots', () => {
  it('never lets more than its size be held at once, and serves waiters in order', async () => {
    const slots = createSendSlots(3);
    const acquire = () => slots.acquire();
    let held = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await acquire();
        held += 1;
        most = Math.max(most, held);
        order.push(i);
        await new Promise((r) => setTimeout(r, 2));
        held -= 1;
        release();
      }),
    );
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('ignores a second release of the same slot', async () => {
    const slots = createSendSlots(1);
    const acquire = () => slots.acquire();
    const release = await acquire();
    release();
    release();
    const a = await acquire();
    let second = false;
    void acquire().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    a();
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(true);
  });
});
