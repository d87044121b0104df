import { describe, expect, it } from 'vitest';
import { memoryLedger } from '../../../crm/idempotency-ledger.js';

describe('memoryLedger (one process)', () => {
  it('claims new keys once; a claim is pending until completed, then done', async () => {
    let now = 1_000;
    const ledger = memoryLedger({ now: () => now });
    expect(await ledger.claim('notes', ['a', 'b'], 60_000)).toEqual(
      new Map([
        ['a', { state: 'claimed', attempt: 1 }],
        ['b', { state: 'claimed', attempt: 1 }],
      ]),
    );
    now += 10_000;
    await ledger.complete('notes', [{ key: 'a', crmId: '301' }]);
    expect(await ledger.claim('notes', ['a', 'b'], 60_000)).toEqual(
      new Map([
        ['a', { state: 'done', crmId: '301' }],
        ['b', { state: 'pending', attempt: 1, settlesInMs: 50_000 }],
      ]),
    );
    // Scopes are separate: the same key on another object type is new.
    expect((await ledger.claim('emails', ['a'], 60_000)).get('a')).toEqual({ state: 'claimed', attempt: 1 });
    expect(await ledger.known('notes', ['a', 'b'])).toEqual(new Map([['a', '301']]));
  });

  it('settles a failed attempt at once, and lets one retry take an uncertain key over', async () => {
    let now = 0;
    const ledger = memoryLedger({ now: () => now });
    await ledger.claim('notes', ['k'], 120_000);
    now = 2_000;
    await ledger.settle('notes', ['k']);
    expect((await ledger.claim('notes', ['k'], 120_000)).get('k')).toEqual({
      state: 'pending',
      attempt: 1,
      settlesInMs: 0,
    });
    expect(await ledger.reclaim('notes', [{ key: 'k', attempt: 1 }], 120_000)).toEqual(new Map([['k', 2]]));
    // A second retry with the old attempt loses the compare-and-set.
    expect(await ledger.reclaim('notes', [{ key: 'k', attempt: 1 }], 120_000)).toEqual(new Map());
  });

  it('forgets a released claim (nothing was stored) but never a completed key', async () => {
    const ledger = memoryLedger();
    await ledger.claim('tasks', ['x', 'y'], 1_000);
    await ledger.complete('tasks', [{ key: 'y', crmId: '9' }]);
    await ledger.release('tasks', ['x', 'y']);
    const again = await ledger.claim('tasks', ['x', 'y'], 1_000);
    expect(again.get('x')).toEqual({ state: 'claimed', attempt: 1 });
    expect(again.get('y')).toEqual({ state: 'done', crmId: '9' });
  });
});
