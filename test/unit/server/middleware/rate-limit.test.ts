import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES, rateLimits } from '../../../../server/middleware/rate-limit.js';

function app(now: () => number, maxClients?: number) {
  const a = new Hono();
  a.use(
    rateLimits([{ name: 'links', matches: (p) => p.startsWith('/r/'), perMinute: 6 }], {
      clientHeader: 'x-forwarded-for',
      now,
      ...(maxClients ? { maxClients } : {}),
    }),
  );
  a.get('*', (c) => c.text('ok'));
  a.onError((e) => (e as { getResponse?: () => Response }).getResponse?.() ?? new Response('error', { status: 500 }));
  return a;
}
const get = (a: Hono, path: string, client = '192.0.2.1') =>
  a.request(path, { headers: { 'x-forwarded-for': `10.0.0.1, ${client}` } });

describe('rate limits', () => {
  it('a burst of perMinute, then 429 with the seconds until the next token, refilled over the minute', async () => {
    let now = 0;
    const a = app(() => now);
    for (let i = 0; i < 6; i += 1) expect((await get(a, '/r/x')).status).toBe(200);
    const limited = await get(a, '/r/x');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    now = 10_000;
    expect((await get(a, '/r/x')).status).toBe(200);
    expect((await get(a, '/r/x')).status).toBe(429);
    // Other clients and other routes are not held back.
    expect((await get(a, '/r/x', '192.0.2.2')).status).toBe(200);
    expect((await get(a, '/api/touches')).status).toBe(200);
  });

  it('remembers a bounded number of clients', async () => {
    const a = app(() => 0, 2);
    for (let i = 0; i < 6; i += 1) await get(a, '/r/x', 'a');
    expect((await get(a, '/r/x', 'a')).status).toBe(429);
    await get(a, '/r/x', 'b');
    await get(a, '/r/x', 'c'); // 'a' is forgotten: a fresh burst
    expect((await get(a, '/r/x', 'a')).status).toBe(200);
  });
});

describe('public routes', () => {
  it('count the dashboard sign-in with the links, and not the dashboard pages', () => {
    expect(PUBLIC_ROUTES.links('/dashboard/auth/callback')).toBe(true);
    expect(PUBLIC_ROUTES.links('/dashboard/auth/sign-in')).toBe(true);
    expect(PUBLIC_ROUTES.links('/dashboard/alerts/alr_1')).toBe(false);
    expect(PUBLIC_ROUTES.links('/dashboard/authx')).toBe(false);
  });
});
