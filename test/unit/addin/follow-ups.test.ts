import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../../outlook-addin/src/api.js';
import { when } from '../../../outlook-addin/src/components/format.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 86_400_000;

describe('follow-ups in the pane', () => {
  it('says when a follow-up is due, ahead or past', () => {
    expect(when(new Date(NOW + 7 * DAY).toISOString(), NOW)).toBe('in 7 days');
    expect(when(new Date(NOW + DAY).toISOString(), NOW)).toBe('in a day');
    expect(when(new Date(NOW + 3 * 3600_000).toISOString(), NOW)).toBe('within a day');
    expect(when(new Date(NOW - 3 * DAY).toISOString(), NOW)).toBe('3 days ago');
    expect(when(new Date(NOW + 90 * DAY).toISOString(), NOW)).toMatch(/2027/);
  });

  it('marks a follow-up done with POST /api/addin/follow-ups/:id/complete and the user token', async () => {
    const calls: { url: string; method: string; auth: string | null }[] = [];
    const api = createApi({
      tokens: { getToken: async () => 'tok' },
      fetch: async (input, init) => {
        calls.push({
          url: String(input),
          method: init?.method ?? 'GET',
          auth: new Headers(init?.headers).get('authorization'),
        });
        return String(input).includes('404')
          ? new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no follow-up with this id' } }), {
              status: 404,
            })
          : new Response(JSON.stringify({ id: '70001', status: 'completed' }), { status: 200 });
      },
    });
    await api.completeFollowUp('70001');
    expect(calls).toEqual([{ url: '/api/addin/follow-ups/70001/complete', method: 'POST', auth: 'Bearer tok' }]);
    const error = await api.completeFollowUp('404').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'not-found', message: 'no follow-up with this id' });
  });
});
