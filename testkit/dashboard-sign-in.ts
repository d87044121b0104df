import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import type { Person } from '../domain/identity.js';
import type { OidcIssuer } from './oidc-issuer.js';

/** The dashboard's app registration at the tests' local OpenID Connect provider. */
export const TEST_DASHBOARD_CLIENT = 'rapport-dashboard-test';
export const TEST_DASHBOARD_SECRET = 'dashboard-test-secret-0123456789';
export const DASHBOARD_SIGN_IN = '/dashboard/auth/sign-in';
const CALLBACK = '/dashboard/auth/callback';

/** A loopback URL whose port is free right now: PUBLIC_URL (and so the redirect URI) before the server listens there. */
export async function reserveLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

/**
 * The environment that turns Rapport's dashboard sign-in on against the local provider, with the
 * dashboard registered there (a confidential client whose redirect URI is under `publicUrl`).
 */
export async function dashboardSignInEnv(issuer: OidcIssuer, publicUrl: string): Promise<Record<string, string>> {
  await issuer.client({
    client_id: TEST_DASHBOARD_CLIENT,
    client_secret: TEST_DASHBOARD_SECRET,
    redirect_uris: [`${publicUrl}${CALLBACK}`],
  });
  return {
    PUBLIC_URL: publicUrl,
    DASHBOARD_CLIENT_ID: TEST_DASHBOARD_CLIENT,
    DASHBOARD_CLIENT_SECRET: TEST_DASHBOARD_SECRET,
  };
}

export interface DashboardCookies {
  /** The `cookie` header value a signed-in browser sends to /dashboard. */
  cookie: string;
  /** The session's CSRF token (send it as `x-csrf-token` or the `_csrf` form field). */
  csrfToken: string;
  person: Person;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response> | Response;

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='));

/**
 * Signs a fetch-based client in to the dashboard as `email` through the whole OpenID Connect flow:
 * Rapport's sign-in route, the provider's sign-in page, the callback. `fetch`: how Rapport is
 * reached (default: the network at `baseUrl`; or `(url, init) => t.rapport.app.request(url, init)`).
 * The person must be known to the issuer (issuer.user(email, { tenant }) for another tenant's);
 * unknown ones are registered in its default tenant.
 */
export async function signInWithFetch(o: {
  baseUrl: string;
  issuer: OidcIssuer;
  email: string;
  fetch?: Fetch;
}): Promise<DashboardCookies> {
  const call: Fetch = o.fetch ?? ((url, init) => fetch(url, init));
  o.issuer.user(o.email);
  const start = await call(`${o.baseUrl}${DASHBOARD_SIGN_IN}`, { redirect: 'manual' });
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`dashboard sign-in answered ${start.status}`);
  const pending = cookiesOf(start).join('; ');
  const back = await o.issuer.authorize(location, o.email);
  const callback = await call(`${o.baseUrl}${back.pathname}${back.search}`, {
    headers: { cookie: pending },
    redirect: 'manual',
  });
  const cookie = cookiesOf(callback).join('; ');
  if (callback.status !== 302 || !cookie) {
    throw new Error(`dashboard callback answered ${callback.status}: ${(await callback.text()).slice(0, 200)}`);
  }
  const me = await call(`${o.baseUrl}/dashboard/auth/me`, { headers: { cookie } });
  if (!me.ok) throw new Error(`dashboard /me answered ${me.status}`);
  const body = (await me.json()) as { person: Person; csrfToken: string };
  return { cookie, csrfToken: body.csrfToken, person: body.person };
}

/**
 * Signs a Playwright page in the way a person does: opens `url` (a dashboard page or the sign-in
 * route), is sent to the provider's sign-in page, types the email, and comes back to `url`'s
 * origin signed in. The page's context keeps the session cookie for the pages that follow.
 */
export async function signInPage(page: Page, url: string, email: string): Promise<void> {
  const origin = new URL(url).origin;
  await page.goto(url);
  const field = page.locator('input[name="email"]');
  await field.waitFor({ state: 'visible', timeout: 15_000 });
  await field.fill(email);
  await Promise.all([
    page.waitForURL((u) => u.origin === origin && !u.pathname.startsWith('/dashboard/auth/callback'), {
      timeout: 15_000,
    }),
    page.locator('button[type="submit"]').click(),
  ]);
}
