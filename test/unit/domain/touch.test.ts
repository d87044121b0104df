import { describe, expect, it } from 'vitest';
import { engagementContent, engagementKindFor, touchInputSchema } from '../../../domain/touch.js';

const valid = {
  contact: { email: 'joe@example.com' },
  channel: 'call',
  summary: 'Talked about the renewal',
  loggedBy: 'ana@rapport.example',
};

const firstField = (input: unknown) => {
  const result = touchInputSchema.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.path.join('.');
};

describe('touch input', () => {
  it('accepts a minimal touch and defaults the source', () => {
    expect(touchInputSchema.parse(valid).source).toBe('api');
  });

  it.each([
    [{ ...valid, channel: 'fax' }, 'channel'],
    [{ ...valid, summary: '   ' }, 'summary'],
    [{ ...valid, summary: 'x'.repeat(10_001) }, 'summary'],
    [{ ...valid, contact: {} }, 'contact'],
    [{ ...valid, contact: { email: 'a@b.co', crmId: '1' } }, 'contact'],
    [{ ...valid, contact: { email: 'not-an-email' } }, 'contact.email'],
    [{ ...valid, contact: { crmId: 'abc' } }, 'contact.crmId'],
    [{ ...valid, occurredAt: 'yesterday' }, 'occurredAt'],
    [{ ...valid, loggedBy: '' }, 'loggedBy'],
    [{ ...valid, idempotencyKey: 'has spaces' }, 'idempotencyKey'],
    [{ ...valid, answers: { main_goal: '' } }, 'answers.main_goal'],
    [{ ...valid, answers: { 'Bad Key': 'x' } }, 'answers.Bad Key'],
    [{ ...valid, extra: 1 }, ''],
  ])('names the wrong field (%#)', (input, field) => {
    expect(firstField(input)).toBe(field);
  });

  it('maps channels to CRM engagement kinds', () => {
    expect(['call', 'email', 'meeting', 'chat', 'visit', 'other'].map((c) => engagementKindFor(c as never))).toEqual([
      'call',
      'email',
      'meeting',
      'note',
      'note',
      'note',
    ]);
  });

  it('writes the same engagement text every time for the same touch', () => {
    const touch = {
      id: 'tch_1',
      channel: 'visit' as const,
      summary: 'Visited the plant\nSaw the new line',
      outcome: 'Wants a quote',
      occurredAt: '2026-11-20T10:00:00.000Z',
      loggedBy: 'ana@rapport.example',
      source: 'slack',
      sourceUrl: 'https://acme.slack.com/archives/C1/p1',
    };
    const content = engagementContent(touch);
    expect(content).toEqual(engagementContent({ ...touch }));
    expect(content.title).toBe('Visit: Visited the plant');
    expect(content.body).toContain('Outcome: Wants a quote');
    expect(content.body).toContain('https://acme.slack.com/archives/C1/p1');
  });
});
