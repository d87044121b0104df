import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Hono } from 'hono';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardEnv } from '../../../server/dashboard/auth-seam.js';
import { createPeopleStore } from '../../../store/people.js';
import { DASHBOARD_SIGN_IN, signInPage, signInWithFetch } from '../../../testkit/dashboard-sign-in.js';
import { OTHER_TENANT } from '../../../testkit/oidc-issuer.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';

/**
 * The dashboard's sign-in as a person meets it, in Chromium: a dashboard page sends them to the
 * organisation's identity provider (here the local oidc-provider standing in for Entra), they sign
 * in there, and come back signed in to the page they asked for, as the same person the API knows.
 * The pages themselves are another module's: this test mounts one protected page of its own.
 */
const ARTIFACTS = resolve('test-artifacts/dashboard');
const ANA = 'ana.dashboard@rapport.example';
const EVE = 'eve@other-tenant.example';

let t: TestRapport;
let browser: Browser;
const contexts: BrowserContext[] = [];

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestRapport({
    dashboard: true,
    dashboardPages: (auth) => {
      const pages = new Hono<DashboardEnv>();
      pages.use('/dashboard/hello', auth.require, auth.csrf);
      pages.get('/dashboard/hello', (c) =>
        c.html(
          `<!doctype html><title>Hello</title><p id="who">${escape(c.var.viewer.person.email)}</p>` +
            `<p id="person">${escape(c.var.viewer.person.id)}</p><p id="csrf">${auth.csrfToken(c)}</p>`,
        ),
      );
      pages.post('/dashboard/hello', (c) => c.json({ changedBy: c.var.viewer.person.id }));
      return pages;
    },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await t?.stop();
});

const newContext = async () => {
  const c = await browser.newContext();
  contexts.push(c);
  return c;
};

/** Signs a fresh browser in as `email` at /dashboard/hello; returns its context and page. */
async function signedIn(email: string) {
  const context = await newContext();
  const page = await context.newPage();
  await signInPage(page, `${t.url}/dashboard/hello?tab=1`, email);
  return { context, page };
}

describe('dashboard sign-in in Chromium', () => {
  it('sends a person to the identity provider and back to the page they asked for, signed in as the API’s person', async () => {
    // The person has used the API first: the dashboard must find the same person, not make another.
    const api = await t.api('/api/alerts', { headers: { authorization: await t.as(ANA) } });
    expect(api.status).toBe(200);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/dashboard/hello?tab=1`);
    // At the provider's sign-in page: another origin, reached through discovery's authorization endpoint.
    expect(new URL(page.url()).origin).toBe(t.issuer!.url);
    expect(page.url()).toMatch(/\/interaction\//);
    await page.screenshot({ path: `${ARTIFACTS}/provider-sign-in.png` });
    await page.fill('input[name="email"]', ANA);
    await Promise.all([page.waitForURL(`${t.url}/dashboard/hello?tab=1`), page.click('button[type="submit"]')]);
    expect(await page.textContent('#who')).toBe(ANA);
    await page.screenshot({ path: `${ARTIFACTS}/signed-in.png` });

    const row = await createPeopleStore(t.db).byEmail(ANA);
    expect(await page.textContent('#person')).toBe(row!.id);
    const { rows } = await t.db.query<{ n: number }>('select count(*)::int as n from people where email = $1', [ANA]);
    expect(rows[0]!.n).toBe(1);

    const cookies = await context.cookies(`${t.url}/dashboard/hello`);
    const session = cookies.find((c) => c.name === 'rapport_dash');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/dashboard' });
    // Encrypted: the cookie does not show who is signed in.
    expect(session!.value).not.toContain('ana');
    expect(Buffer.from(session!.value.split('.')[1] ?? '', 'base64url').toString()).not.toContain(ANA);
    // The pending sign-in's cookie (state, nonce, PKCE verifier) is gone once used.
    expect(cookies.find((c) => c.name === 'rapport_dash_signin')).toBeUndefined();
  });

  it('answers 401 to a person of another tenant, and signs nobody in', async () => {
    t.issuer!.user(EVE, { tenant: OTHER_TENANT });
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/dashboard/hello`);
    await page.fill('input[name="email"]', EVE);
    const [callback] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${t.url}/dashboard/auth/callback`)),
      page.click('button[type="submit"]'),
    ]);
    expect(callback.status()).toBe(401);
    expect(await page.textContent('body')).toContain('another organisation');
    await page.screenshot({ path: `${ARTIFACTS}/other-tenant.png` });
    expect((await context.cookies(`${t.url}/dashboard/hello`)).find((c) => c.name === 'rapport_dash')).toBeUndefined();
    expect(await createPeopleStore(t.db).byEmail(EVE)).toBeNull();
  });

  it('treats a tampered session cookie as no session', async () => {
    const { context } = await signedIn(ANA);
    const session = (await context.cookies(`${t.url}/dashboard/hello`)).find((c) => c.name === 'rapport_dash')!;
    const value = session.value;
    const at = Math.floor(value.length / 2);
    const tampered = `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
    const other = await newContext();
    await other.addCookies([{ ...session, value: tampered }]);
    const page = await other.newPage();
    await page.goto(`${t.url}/dashboard/hello`);
    expect(new URL(page.url()).origin).toBe(t.issuer!.url); // sent to sign in again
    const data = await other.request.get(`${t.url}/dashboard/hello`, { headers: { accept: 'application/json' } });
    expect(data.status()).toBe(401);
  });

  it('refuses a state-changing request without the session’s CSRF token (403) and takes it with one', async () => {
    const { context, page } = await signedIn(ANA);
    const token = (await page.textContent('#csrf'))!;
    const url = `${t.url}/dashboard/hello`;
    expect((await context.request.post(url)).status()).toBe(403);
    expect((await context.request.post(url, { headers: { 'x-csrf-token': 'x'.repeat(token.length) } })).status()).toBe(
      403,
    );
    const ok = await context.request.post(url, { headers: { 'x-csrf-token': token } });
    expect(ok.status()).toBe(200);
    expect(((await ok.json()) as { changedBy: string }).changedBy).toBe(await page.textContent('#person'));
    expect((await context.request.post(url, { form: { _csrf: token } })).status()).toBe(200);
    // Another site's page cannot use it even with the token.
    expect(
      (
        await context.request.post(url, { headers: { 'x-csrf-token': token, origin: 'https://evil.example' } })
      ).status(),
    ).toBe(403);
    // Another session's token is not this session's.
    const { page: second } = await signedIn(ANA);
    const theirs = (await second.textContent('#csrf'))!;
    expect(theirs).not.toBe(token);
    expect((await context.request.post(url, { headers: { 'x-csrf-token': theirs } })).status()).toBe(403);
  });

  it('signs out (a CSRF-checked POST): the next page sends the browser to sign in again', async () => {
    const { context, page } = await signedIn(ANA);
    const token = (await page.textContent('#csrf'))!;
    expect((await context.request.post(`${t.url}/dashboard/auth/sign-out`, { maxRedirects: 0 })).status()).toBe(403);
    const out = await context.request.post(`${t.url}/dashboard/auth/sign-out`, {
      headers: { 'x-csrf-token': token },
      maxRedirects: 0,
    });
    expect(out.status()).toBe(303);
    expect((await context.cookies(`${t.url}/dashboard/hello`)).find((c) => c.name === 'rapport_dash')).toBeUndefined();
    expect((await context.request.get(`${t.url}/dashboard/hello`, { maxRedirects: 0 })).status()).toBe(401);
  });
});

describe('dashboard sign-in without a browser (testkit/dashboard-sign-in.ts)', () => {
  it('signs a fetch client in; the session works on the page and the API knows the same person', async () => {
    const signed = await signInWithFetch({ baseUrl: t.url!, issuer: t.issuer!, email: 'rafa@rapport.example' });
    const res = await fetch(`${t.url}/dashboard/hello`, { headers: { cookie: signed.cookie, accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(signed.person.id);
    expect((await createPeopleStore(t.db).byEmail('rafa@rapport.example'))!.id).toBe(signed.person.id);
  });

  it('checks the state: a callback carrying another sign-in’s code is refused', async () => {
    const start = () => fetch(`${t.url}${DASHBOARD_SIGN_IN}`, { redirect: 'manual' });
    const [mine, theirs] = await Promise.all([start(), start()]);
    const back = await t.issuer!.authorize(theirs.headers.get('location')!, ANA);
    const pending = mine.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await fetch(`${t.url}${back.pathname}${back.search}`, {
      headers: { cookie: pending },
      redirect: 'manual',
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('rapport_dash='))).toBe(false);
    // Without the pending cookie at all (a link someone was sent): not signed in either.
    const bare = await fetch(`${t.url}${back.pathname}${back.search}`, { redirect: 'manual' });
    expect(bare.status).toBe(400);
  });

  it('answers data requests of a stranger 401 and sends a page request to sign in, keeping where it was going', async () => {
    const data = await fetch(`${t.url}/dashboard/hello`, { redirect: 'manual' });
    expect(data.status).toBe(401);
    const pageRes = await fetch(`${t.url}/dashboard/hello?x=1`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(pageRes.status).toBe(302);
    expect(pageRes.headers.get('location')).toBe(
      `${DASHBOARD_SIGN_IN}?return=${encodeURIComponent('/dashboard/hello?x=1')}`,
    );
  });
});
