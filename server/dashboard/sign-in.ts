import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { DomainError } from '../../domain/errors.js';
import type { PeopleDirectory } from '../../services/people.js';
import type { DashboardAuth, DashboardEnv } from './auth-seam.js';
import {
  clearCookie,
  cookieHeader,
  csrfTokenFor,
  csrfTokenMatches,
  newSession,
  openPending,
  openSession,
  PENDING_COOKIE,
  PENDING_PATH,
  PENDING_SECONDS,
  safeReturnPath,
  sealPending,
  sealSession,
  SESSION_COOKIE,
  SESSION_PATH,
  sessionKeys,
  type DashboardSession,
} from './session.js';

export interface DashboardAuthOptions {
  /** The identity provider's issuer URL (the people identity's: OIDC_ISSUER, or Entra's for AAD_TENANT_ID); discovered at the first sign-in. */
  issuer: string;
  /** The dashboard's app registration at the provider (DASHBOARD_CLIENT_ID). */
  clientId: string;
  /** DASHBOARD_CLIENT_SECRET: a confidential client; absent: a public client (PKCE alone). */
  clientSecret?: string;
  /** Rapport's public URL: the redirect URI is <publicUrl>/dashboard/auth/callback; https: Secure cookies. */
  publicUrl: string;
  /** The tenant a person must belong to (`tid`); absent: any person of the issuer. */
  tenantId?: string;
  /** RAPPORT_SECRET: keys the session cookie's encryption and the CSRF tokens (shared by every API process). */
  secret: string;
  /** The same directory as the API's people identity: the same person id. */
  people: Pick<PeopleDirectory, 'fromToken'>;
  /** How long a session lasts (DASHBOARD_SESSION_HOURS); default 8. */
  sessionHours?: number;
  logger?: Logger;
}

export const CALLBACK_PATH = '/dashboard/auth/callback';
export const SIGN_IN_PATH = '/dashboard/auth/sign-in';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const page = (title: string, text: string, link?: { href: string; label: string }) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Rapport</title></head>` +
  `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` +
  (link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '') +
  `</body></html>`;

const unauthorized = (message: string) =>
  Response.json(
    { error: { code: 'UNAUTHORIZED', message } },
    { status: 401, headers: { 'cache-control': 'no-store' } },
  );
const forbidden = (message: string) =>
  Response.json({ error: { code: 'FORBIDDEN', message } }, { status: 403, headers: { 'cache-control': 'no-store' } });

/**
 * The dashboard's sign-in with the organisation's identity provider: OpenID Connect authorization
 * code with PKCE (openid-client), state and nonce checked, the person's tenant checked, the
 * person resolved through the people directory as on the API; then an encrypted session cookie
 * (server/dashboard/session.ts) and a CSRF token per session for state-changing requests.
 */
export function createDashboardAuth(options: DashboardAuthOptions): DashboardAuth {
  const keys = sessionKeys(options.secret);
  const publicUrl = options.publicUrl.replace(/\/$/, '');
  const origin = new URL(publicUrl).origin;
  const secure = publicUrl.startsWith('https://');
  const redirectUri = `${publicUrl}${CALLBACK_PATH}`;
  const sessionHours = options.sessionHours ?? 8;
  const issuerUrl = new URL(options.issuer);
  const loopbackIssuer = ['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname);

  // Discovered once, lazily: start-up never waits on the identity provider; a failure is tried again next time.
  let config: Promise<oidc.Configuration> | undefined;
  const configuration = () =>
    (config ??= oidc
      .discovery(
        issuerUrl,
        options.clientId,
        { redirect_uris: [redirectUri] },
        options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
        // Plain HTTP only for a provider on this machine (development and tests).
        loopbackIssuer && issuerUrl.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        config = undefined;
        throw error;
      }));

  // One decryption per request, whichever of require, csrf and csrfToken asks first.
  const sessions = new WeakMap<Request, Promise<DashboardSession | null>>();
  // Sessions require() let through, for the synchronous csrfToken().
  const signedIn = new WeakMap<Request, DashboardSession>();
  const sessionOf = (c: Context) => {
    let s = sessions.get(c.req.raw);
    if (!s) {
      s = openSession(keys, getCookie(c, SESSION_COOKIE));
      sessions.set(c.req.raw, s);
    }
    return s;
  };

  const wantsPage = (c: Context) => c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');

  const require: DashboardAuth['require'] = createMiddleware<DashboardEnv>(async (c, next) => {
    const session = await sessionOf(c);
    if (!session) {
      if (wantsPage(c)) {
        const back = safeReturnPath(`${c.req.path}${new URL(c.req.url).search}`);
        return c.redirect(`${SIGN_IN_PATH}?return=${encodeURIComponent(back)}`, 302);
      }
      return unauthorized('sign in to the dashboard first');
    }
    signedIn.set(c.req.raw, session);
    c.set('viewer', { person: session.person, tenant: session.tenant });
    c.header('cache-control', 'private, no-store');
    await next();
  });

  const csrf: DashboardAuth['csrf'] = createMiddleware<DashboardEnv>(async (c, next) => {
    if (!STATE_CHANGING.has(c.req.method)) return next();
    // A browser names the page's origin on every cross-site POST: another one never acts here.
    const from = c.req.header('origin');
    if (from !== undefined && from !== origin) return forbidden('a request from another site is refused');
    const session = await sessionOf(c);
    if (!session) return unauthorized('sign in to the dashboard first');
    let given: unknown = c.req.header('x-csrf-token');
    const type = c.req.header('content-type') ?? '';
    if (given === undefined && /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      given = (await c.req.parseBody())._csrf; // hono keeps the parsed body for the handler
    }
    if (!csrfTokenMatches(keys, session, given)) return forbidden('the request lacks this session’s CSRF token');
    await next();
  });

  const csrfToken: DashboardAuth['csrfToken'] = (c) => {
    const session = signedIn.get(c.req.raw);
    if (!session) throw new Error('csrfToken() needs a signed-in request (after require)');
    return csrfTokenFor(keys, session);
  };

  const routes = new Hono<DashboardEnv>();
  routes.get('/sign-in', async (c) => {
    let cfg: oidc.Configuration;
    try {
      cfg = await configuration();
    } catch (error) {
      options.logger?.warn({ err: error }, 'dashboard sign-in: the identity provider cannot be discovered');
      return c.html(page('Sign-in unavailable', 'The identity provider is not answering. Try again shortly.'), 503);
    }
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnPath(c.req.query('return')),
    };
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    c.header(
      'set-cookie',
      cookieHeader(PENDING_COOKIE, await sealPending(keys, pending), {
        path: PENDING_PATH,
        maxAge: PENDING_SECONDS,
        secure,
      }),
    );
    c.header('cache-control', 'no-store');
    return c.redirect(url.href, 302);
  });

  routes.get('/callback', async (c) => {
    const pending = await openPending(keys, getCookie(c, PENDING_COOKIE));
    c.header('set-cookie', clearCookie(PENDING_COOKIE, PENDING_PATH, secure), { append: true });
    c.header('cache-control', 'no-store');
    const again = { href: SIGN_IN_PATH, label: 'Sign in again' };
    if (!pending) {
      return c.html(page('Sign-in expired', 'This sign-in was not started here or took too long.', again), 400);
    }
    // The redirect URI as registered (not this request's own URL, which a proxy may have rewritten).
    const current = new URL(redirectUri);
    current.search = new URL(c.req.url).search;
    let claims: Record<string, unknown>;
    try {
      const cfg = await configuration();
      const tokens = await oidc.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims() };
    } catch (error) {
      const code = error instanceof oidc.AuthorizationResponseError ? error.error : undefined;
      options.logger?.info({ reason: code ?? (error as Error).name }, 'dashboard sign-in refused');
      return c.html(page('Not signed in', 'The identity provider did not sign you in.', again), 401);
    }
    const tenant = str(claims.tid);
    if (options.tenantId && tenant !== options.tenantId) {
      options.logger?.info({ reason: 'tenant' }, 'dashboard sign-in refused');
      return c.html(page('Not signed in', 'Your account belongs to another organisation.'), 401);
    }
    // As the API: who is the immutable object id; the email is what they are shown as.
    const email = str(claims.preferred_username) ?? str(claims.email) ?? str(claims.upn);
    const objectId = options.tenantId ? str(claims.oid) : (str(claims.oid) ?? str(claims.sub));
    if (!email || !EMAIL.test(email) || !objectId) {
      return c.html(page('Not signed in', 'Your account has no email address or object id.'), 401);
    }
    let session: DashboardSession;
    try {
      const person = await options.people.fromToken({ objectId, email, name: str(claims.name) });
      session = newSession(person, tenant, sessionHours);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'UNAUTHORIZED') {
        return c.html(page('Not signed in', error.message), 401);
      }
      throw error;
    }
    c.header(
      'set-cookie',
      cookieHeader(SESSION_COOKIE, await sealSession(keys, session), {
        path: SESSION_PATH,
        maxAge: sessionHours * 3600,
        secure,
      }),
      { append: true },
    );
    return c.redirect(pending.returnTo, 302);
  });

  // Who is signed in, and the CSRF token a page's script sends back (x-csrf-token).
  routes.get('/me', require, (c) =>
    c.json({ person: c.get('viewer').person, tenant: c.get('viewer').tenant, csrfToken: csrfToken(c) }),
  );

  routes.post('/sign-out', require, csrf, (c) => {
    c.header('set-cookie', clearCookie(SESSION_COOKIE, SESSION_PATH, secure));
    return c.redirect('/dashboard/auth/signed-out', 303);
  });
  routes.get('/signed-out', (c) =>
    c.html(
      page('Signed out', 'You are signed out of the Rapport dashboard.', { href: SIGN_IN_PATH, label: 'Sign in' }),
    ),
  );

  // Anything unforeseen (the people store down): a page saying so, logged, never a stack trace.
  routes.onError((error, c) => {
    options.logger?.error({ err: error }, 'dashboard sign-in failed');
    return c.html(page('Sign-in unavailable', 'Something went wrong on our side. Try again shortly.'), 503);
  });

  return {
    require,
    csrf,
    csrfToken,
    routes,
  };
}
