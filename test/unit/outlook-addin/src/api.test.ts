import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../../../outlook-addin/src/api.js';

describe('the add-in API client', () => {
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
