import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../domain/errors.js';
import { assertMayComplete, completedBody } from '../../../domain/follow-up.js';

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  return undefined;
};

describe('who may complete a follow-up through Rapport', () => {
  const theirs = { createdByRapport: false, ownerEmail: 'ben@bank.example' };

  it('anyone may complete one Rapport created, an API token included', () => {
    const rapports = { createdByRapport: true, ownerEmail: 'ben@bank.example' };
    expect(
      refusal(() => assertMayComplete(rapports, { email: 'ana@bank.example', source: 'outlook' })),
    ).toBeUndefined();
    expect(refusal(() => assertMayComplete(rapports, { source: 'api' }))).toBeUndefined();
  });

  it('its owner may complete their own (email compared without case)', () => {
    expect(refusal(() => assertMayComplete(theirs, { email: 'Ben@Bank.example', source: 'slack' }))).toBeUndefined();
  });

  it("a colleague, an API token, or anyone on an ownerless task Rapport did not create: FORBIDDEN on 'id'", () => {
    for (const [task, actor] of [
      [theirs, { email: 'ana@bank.example', source: 'outlook' }],
      [theirs, { source: 'api' }],
      [
        { createdByRapport: false, ownerEmail: null },
        { email: 'ana@bank.example', source: 'outlook' },
      ],
    ] as const) {
      const error = refusal(() => assertMayComplete(task, actor));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'FORBIDDEN', field: 'id' });
    }
  });
});

describe('the completed task says who did it', () => {
  const at = new Date('2026-12-05T11:00:00Z');

  it('a last line after the body', () => {
    expect(completedBody('Call back.', { email: 'ana@bank.example', source: 'outlook' }, at, 1000)).toBe(
      'Call back.\n\nCompleted by ana@bank.example via Rapport (outlook) at 2026-12-05T11:00:00.000Z',
    );
    expect(completedBody('', { source: 'api' }, at, 1000)).toBe(
      'Completed by an API client via Rapport (api) at 2026-12-05T11:00:00.000Z',
    );
  });

  it('within the CRM limit: the old text is shortened, the line kept', () => {
    const body = completedBody('x'.repeat(500), { email: 'ana@bank.example', source: 'slack' }, at, 200);
    expect(body).toHaveLength(200);
    expect(body).toMatch(/x…\n\nCompleted by ana@bank\.example via Rapport \(slack\) at 2026-12-05T11:00:00\.000Z$/);
  });
});
