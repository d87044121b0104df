import { describe, expect, it } from 'vitest';
import { sortCreateAnswer } from '../../../../crm/hubspot/batch-answer.js';

const record = (id: string, trace?: string, key?: string) => ({
  id,
  properties: key ? { rapport_idempotency_key: key } : {},
  ...(trace ? { objectWriteTraceId: trace } : {}),
});
const byKeyProperty = (r: { properties: Record<string, string | null | undefined> }) =>
  r.properties.rapport_idempotency_key;

describe('sortCreateAnswer', () => {
  it('maps results in any order back to their inputs by objectWriteTraceId', () => {
    const sorted = sortCreateAnswer({ results: [record('2', 'b'), record('1', 'a')] }, ['a', 'b'], byKeyProperty);
    expect(sorted.created).toEqual(
      new Map([
        ['b', '2'],
        ['a', '1'],
      ]),
    );
    expect(sorted.failed.size).toBe(0);
    expect(sorted.unaccounted).toEqual([]);
  });

  it('falls back to the key a record carries when the answer has no trace id', () => {
    const sorted = sortCreateAnswer({ results: [record('7', undefined, 'k1')] }, ['k1', 'k2'], byKeyProperty);
    expect(sorted.created).toEqual(new Map([['k1', '7']]));
    expect(sorted.unaccounted).toEqual(['k2']);
  });

  it("reads a 207's errors by their context's trace ids; validation is permanent, the rest is not", () => {
    const sorted = sortCreateAnswer(
      {
        results: [record('1', 'a')],
        errors: [
          { category: 'VALIDATION_ERROR', message: 'bad date', context: { objectWriteTraceId: ['b'] } },
          { category: 'INTERNAL_ERROR', message: 'try again', context: { objectWriteTraceId: ['c', 'd'] } },
        ],
      },
      ['a', 'b', 'c', 'd', 'e'],
      byKeyProperty,
    );
    expect(sorted.created).toEqual(new Map([['a', '1']]));
    expect(sorted.failed).toEqual(
      new Map([
        ['b', { message: 'bad date', permanent: true }],
        ['c', { message: 'try again', permanent: false }],
        ['d', { message: 'try again', permanent: false }],
      ]),
    );
    // Neither created nor refused: whether it was stored is unknown.
    expect(sorted.unaccounted).toEqual(['e']);
  });

  it('ignores results and errors naming inputs it did not send, and keeps the first of a repeated result', () => {
    const sorted = sortCreateAnswer(
      {
        results: [record('1', 'a'), record('9', 'a'), record('5', 'x')],
        errors: [{ category: 'INTERNAL_ERROR', context: { objectWriteTraceId: ['a', 'y'] } }],
      },
      ['a'],
      byKeyProperty,
    );
    expect(sorted.created).toEqual(new Map([['a', '1']]));
    expect(sorted.failed.size).toBe(0);
  });
});
