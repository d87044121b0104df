import { Hono } from 'hono';
import { EncryptJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { DashboardEnv } from '../../../../server/dashboard/auth-seam.js';
import {
  cookieHeader,
  csrfTokenFor,
  csrfTokenMatches,
  newSession,
  openPending,
  openSession,
  safeReturnPath,
  sealPending,
  sealSession,
  sessionKeys,
} from '../../../../server/dashboard/session.js';
import { createDashboardAuth } from '../../../../server/dashboard/sign-in.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const keys = sessionKeys(SECRET);
const ANA = { id: 'psn_01ana', email: 'ana@rapport.example', name: 'Ana' };

describe('dashboard session cookie', () => {
  it('round-trips who is signed in, and hides it', async () => {
    const s = newSession(ANA, 'tenant-1', 8);
    const value = await sealSession(keys, s);
    expect(await openSession(keys, value)).toEqual(s);
    expect(value).not.toContain('ana');
    for (const part of value.split('.')) expect(Buffer.from(part, 'base64url').toString()).not.toContain('ana@');
  });

  it('is no session once a byte is changed, under another secret, or expired', async () => {
    const value = await sealSession(keys, newSession(ANA, null, 8));
    const parts = value.split('.');
    for (let i = 0; i < parts.length; i += 1) {
      if (!parts[i]) continue; // dir: the encrypted key part is empty
      const p = [...parts];
      p[i] = `${p[i]!.slice(0, -2)}${p[i]!.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(await openSession(keys, p.join('.'))).toBeNull();
    }
    expect(await openSession(sessionKeys(`${SECRET}x`), value)).toBeNull();
    expect(await openSession(keys, await sealSession(keys, { ...newSession(ANA, null, 8), expiresAt: 1 }))).toBeNull();
    expect(await openSession(keys, undefined)).toBeNull();
    expect(await openSession(keys, 'x'.repeat(5000))).toBeNull();
  });

  it('never takes a pending sign-in for a session, nor a session for a pending sign-in', async () => {
    const pending = await sealPending(keys, { state: 's', nonce: 'n', verifier: 'v', returnTo: '/dashboard' });
    expect(await openSession(keys, pending)).toBeNull();
    expect(await openPending(keys, pending)).toEqual({ state: 's', nonce: 'n', verifier: 'v', returnTo: '/dashboard' });
    expect(await openPending(keys, await sealSession(keys, newSession(ANA, null, 1)))).toBeNull();
    // A well-formed token under the right key but with no purpose is neither.
    const bare = await new EncryptJWT({ sid: 'x', pid: 'p', email: 'e@x.example' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime('1h')
      .encrypt(keys.encryption);
    expect(await openSession(keys, bare)).toBeNull();
  });

  it('is HttpOnly and SameSite=Lax, and Secure only over TLS', () => {
    expect(cookieHeader('c', 'v', { path: '/dashboard', maxAge: 60, secure: false })).toBe(
      'c=v; Path=/dashboard; Max-Age=60; HttpOnly; SameSite=Lax',
    );
    expect(cookieHeader('c', 'v', { path: '/dashboard', maxAge: 60, secure: true })).toMatch(/; Secure$/);
  });
});

describe('CSRF token', () => {
  it('is the session’s own: another session’s, a changed one or a non-string is refused', () => {
    const a = newSession(ANA, null, 1);
    const b = newSession(ANA, null, 1);
    const token = csrfTokenFor(keys, a);
    expect(csrfTokenMatches(keys, a, token)).toBe(true);
    expect(csrfTokenMatches(keys, b, token)).toBe(false);
    expect(csrfTokenMatches(keys, a, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(csrfTokenMatches(keys, a, token.slice(1))).toBe(false);
    expect(csrfTokenMatches(keys, a, undefined)).toBe(false);
    expect(csrfTokenMatches(keys, a, [token])).toBe(false);
    expect(csrfTokenMatches(sessionKeys(`${SECRET}x`), a, token)).toBe(false);
  });
});

describe('where a sign-in returns to', () => {
  it.each([
    ['/dashboard/alerts/alr_1?tab=funnel', '/dashboard/alerts/alr_1?tab=funnel'],
    ['/dashboard', '/dashboard'],
    ['//evil.example/dashboard', '/dashboard'],
    ['/\\evil.example', '/dashboard'],
    ['https://evil.example/dashboard', '/dashboard'],
    ['/dashboardx', '/dashboard'],
    ['/api/alerts', '/dashboard'],
    ['/dashboard/../api/alerts', '/dashboard'],
    ['/dashboard/%2e%2e/api/alerts', '/dashboard'],
    ['/dashboard/auth/sign-out', '/dashboard'],
    ['/dashboard/\u0000x', '/dashboard'],
    [undefined, '/dashboard'],
  ])('%s -> %s', (given, expected) => {
    expect(safeReturnPath(given)).toBe(expected);
  });
});

describe('dashboard auth middleware', () => {
  const auth = createDashboardAuth({
    issuer: 'http://127.0.0.1:9/never-asked',
    clientId: 'dash',
    publicUrl: 'https://rapport.example.com',
    secret: SECRET,
    people: { fromToken: () => Promise.reject(new Error('not in these tests')) },
  });
  const app = new Hono<DashboardEnv>();
  app.use('/dashboard/*', auth.require, auth.csrf);
  app.get('/dashboard/page', (c) => c.json({ who: c.var.viewer.person.email, csrf: auth.csrfToken(c) }));
  app.post('/dashboard/page', (c) => c.json({ ok: true }));
  const cookieFor = async (s = newSession(ANA, 't', 1)) => `rapport_dash=${await sealSession(keys, s)}`;

  it('sends a page request without a session to sign in, coming back; answers data requests 401', async () => {
    const page = await app.request('/dashboard/page?a=1', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/dashboard/auth/sign-in?return=%2Fdashboard%2Fpage%3Fa%3D1');
    expect((await app.request('/dashboard/page')).status).toBe(401);
    expect((await app.request('/dashboard/page', { method: 'POST' })).status).toBe(401);
  });

  it('lets a session through and checks the CSRF token and origin of changes', async () => {
    const cookie = await cookieFor();
    const res = await app.request('/dashboard/page', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const { who, csrf } = (await res.json()) as { who: string; csrf: string };
    expect(who).toBe(ANA.email);
    const post = (headers: Record<string, string>, body?: string) =>
      app.request('/dashboard/page', { method: 'POST', headers: { cookie, ...headers }, ...(body ? { body } : {}) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf })).status).toBe(200);
    expect((await post({ 'x-csrf-token': csrf, origin: 'https://rapport.example.com' })).status).toBe(200);
    expect((await post({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post(form, `_csrf=${encodeURIComponent(csrf)}`)).status).toBe(200);
    expect((await post(form, '_csrf=nope')).status).toBe(403);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await app.request('/dashboard/page', { method, headers: { cookie } })).status).toBe(403);
    }
  });

  it('answers a 503 page when the identity provider cannot be discovered, and a 400 to a callback it did not start', async () => {
    const signIn = await auth.routes.fetch(new Request('https://rapport.example.com/sign-in'));
    expect(signIn.status).toBe(503);
    expect(await signIn.text()).toContain('not answering');
    const callback = await auth.routes.fetch(new Request('https://rapport.example.com/callback?code=x&state=y'));
    expect(callback.status).toBe(400);
    expect(callback.headers.get('set-cookie')).toContain('rapport_dash_signin=; Path=/dashboard/auth; Max-Age=0');
  });

  it('signs out with a CSRF-checked POST that clears the Secure cookie', async () => {
    const cookie = await cookieFor();
    const me = (await (
      await auth.routes.fetch(new Request('https://rapport.example.com/me', { headers: { cookie } }))
    ).json()) as {
      csrfToken: string;
    };
    const out = await auth.routes.fetch(
      new Request('https://rapport.example.com/sign-out', {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': me.csrfToken },
      }),
    );
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toBe(
      'rapport_dash=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
    const refused = await auth.routes.fetch(
      new Request('https://rapport.example.com/sign-out', { method: 'POST', headers: { cookie } }),
    );
    expect(refused.status).toBe(403);
  });
});
