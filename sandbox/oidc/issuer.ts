import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider, {
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';

/** A tenant and app registration for tests; any GUIDs do. */
export const TEST_TENANT = '11111111-2222-3333-4444-555555555555';
export const TEST_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const OTHER_TENANT = '99999999-8888-7777-6666-555555555555';
/** The delegated scope Rapport's API and add-in require (server/addin/auth.ts ADDIN_SCOPE). */
const SCOPE = 'access_as_user';

export interface IssuerUser {
  email: string;
  /** Immutable object id, as Entra's `oid` (also the `sub` and the provider's account id). */
  oid: string;
  name: string;
  tenant: string;
}

export interface MintOptions {
  /** Claims to add or override (e.g. preferred_username, tid, scp). */
  claims?: Record<string, unknown>;
  audience?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  /** Sign with a key the issuer never published (a forger's), under the current key id. */
  forged?: boolean;
}

/** An OAuth client registered at the provider (RFC 7591 metadata), e.g. the dashboard's. */
export interface IssuerClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export interface OidcIssuer {
  /** The issuer URL (`iss`); its discovery document is at /.well-known/openid-configuration. */
  url: string;
  /** The environment that makes Rapport trust this issuer for people (API and add-in). */
  env: Record<string, string>;
  /** Registers (or returns) a user of the tenant; the same email is always the same object id. */
  user(email: string, options?: { tenant?: string; oid?: string; name?: string }): IssuerUser;
  /**
   * An access token for Rapport's API, as a client of Rapport gets one: the authorization code flow
   * with PKCE (authorize, the provider's sign-in page, code, token endpoint). `resource`: another
   * API's id (`api://<id>` is asked for, its tokens carry `aud: <id>`).
   */
  token(email: string, options?: { resource?: string }): Promise<string>;
  /** `Bearer <token>` for the user. */
  bearer(email: string): Promise<string>;
  /**
   * Drives the provider's side of a sign-in a client started: follows `authorizationUrl` through
   * the sign-in page as `email` and returns where the provider sends the browser back (the
   * client's redirect URI with `code` and `state`, or `error`).
   */
  authorize(authorizationUrl: string | URL, email: string): Promise<URL>;
  /** Registers an OAuth client (a confidential web app such as the dashboard). */
  client(metadata: IssuerClient): Promise<void>;
  /** A token signed by the issuer's current key without the token endpoint: for claims no client would be given. */
  mint(email: string, options?: MintOptions): Promise<string>;
  /**
   * Key rotation as an identity provider does it: a new key is published in the key set first
   * (next to the old one), then used for signing. `publishOnly`: stop after publishing.
   */
  rotate(options?: { publishOnly?: boolean }): Promise<void>;
  /** Counts of requests per path (discovery, keys, token, ...). */
  hits: Record<string, number>;
  close(): Promise<void>;
}

/** Entra's paths (v1 spellings), so a tester reading logs recognises them. */
const ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  jwks: '/discovery/keys',
  userinfo: '/openid/userinfo',
  end_session: '/oauth2/logout',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
} as const;
const INTERACTION = '/interaction/';
/** Where the API client's codes are sent: never followed (the testkit reads the Location header). */
const API_CLIENT_REDIRECT = (issuer: string) => `${issuer}/client/callback`;

type PrivateJwk = JWK & { kid: string };

async function newKey(): Promise<PrivateJwk> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/** The same email is the same object id across restarts (the people table keeps the binding). */
const stableOid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const EMAIL = /^[^\s@<>"'&\p{Cc}]+@[^\s@<>"'&\p{Cc}]+\.[^\s@<>"'&\p{Cc}]+$/u;

const readForm = (req: IncomingMessage) =>
  new Promise<URLSearchParams>((done, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 16 * 1024) req.destroy();
    });
    req.on('end', () => done(new URLSearchParams(body)));
    req.on('error', fail);
  });

/**
 * Storage for the provider's sessions, interactions, codes, grants and registered clients: one
 * map per issuer, kept across the provider instances a key rotation makes.
 */
function memoryAdapter() {
  const rows = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string) => {
    const row = rows.get(key);
    if (row && row.expiresAt <= Date.now()) rows.delete(key);
    return rows.get(key)?.payload;
  };
  let writes = 0;
  return (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      // A long `npm start` signs people in all day: expired rows go every thousand writes.
      if (++writes % 1000 === 0) for (const [key, row] of rows) if (row.expiresAt <= Date.now()) rows.delete(key);
      rows.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => {
      for (const [key, row] of rows) if (key.startsWith(`${model}:`) && row.payload.uid === uid) return live(key);
      return undefined;
    },
    findByUserCode: async () => undefined,
    consume: async (id) => {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      rows.delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      for (const [key, row] of rows) if (row.payload.grantId === grantId) rows.delete(key);
    },
  });
}

/**
 * A browser at the provider, driven by code: follows a client's authorization URL through the
 * sign-in page as `email` and returns where the provider sends the browser back (the client's
 * redirect URI with `code` and `state`, or `error`). Works against the provider of this module.
 */
export async function signInAt(issuer: string, authorizationUrl: string | URL, email: string): Promise<URL> {
  const origin = new URL(issuer).origin;
  // One browser: the provider's interaction and session cookies, sent back to it.
  const jar = new Map<string, string>();
  const send = async (target: URL, init: RequestInit = {}) => {
    const res = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const value = pair!.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair!.slice(0, at));
      else jar.set(pair!.slice(0, at), value);
    }
    await res.arrayBuffer();
    return res;
  };
  let next = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop += 1) {
    const providers = next.pathname.startsWith(ROUTES.authorization) || next.pathname.startsWith(INTERACTION);
    if (next.origin !== origin || !providers) return next; // back to the client
    let res: Response;
    if (next.pathname.startsWith(INTERACTION)) {
      await send(next);
      res = await send(next, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email }).toString(),
      });
    } else {
      res = await send(next);
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} at ${next.pathname} without a redirect`);
    next = new URL(location, next);
  }
  throw new Error('the provider redirected too often');
}

/**
 * An access token for an API, as a public client (the add-in's app registration) gets one: the
 * authorization code flow with PKCE, endpoints from the discovery document. `resource`: the API's
 * id (`api://<id>` is asked for; its tokens carry `aud: <id>`), Rapport's own by default.
 */
export async function personToken(o: { issuer: string; clientId: string; email: string; resource?: string }) {
  const doc = (await (await fetch(`${o.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const resource = o.resource
    ? o.resource.includes('://')
      ? o.resource
      : `api://${o.resource}`
    : `api://${o.clientId}`;
  const redirectUri = API_CLIENT_REDIRECT(o.issuer);
  const start = new URL(doc.authorization_endpoint);
  start.search = new URLSearchParams({
    client_id: o.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid profile email ${SCOPE}`,
    resource,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const back = await signInAt(o.issuer, start, o.email);
  if (back.searchParams.get('state') !== state) throw new Error('authorization answered another state');
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`authorization refused: ${back.searchParams.get('error_description') ?? back.search}`);
  const res = await fetch(doc.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: o.clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      resource,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error_description}`);
  return body.access_token;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<style>body{font:16px system-ui;max-width:28rem;margin:4rem auto}input,button{font:inherit;padding:.4rem}</style></head>` +
  `<body><h1>${title}</h1>${body}</body></html>`;

/**
 * A real OpenID Connect provider on loopback (node-oidc-provider, the certified implementation),
 * standing in for Microsoft Entra ID in tests and in `npm start` development: discovery, a JSON
 * Web Key Set with rotation, the authorization code flow with PKCE, resource indicators for JWT
 * access tokens shaped as Entra's v2 tokens (`oid`, `tid`, `scp`, `preferred_username`, `aud` =
 * the API's app id), and ID tokens carrying the same person claims for the dashboard. Its only
 * home-made part is the sign-in page, which asks for an email and no password: any user this
 * issuer knows (or, `open`, any email) signs in. Rapport verifies its tokens through the same
 * discovery, key set and claim checks as Entra's.
 */
export async function startOidcIssuer(
  options: {
    tenant?: string;
    clientId?: string;
    /** `npm start` in development: any email signs in (loopback only). Unset: only users registered through user(). */
    open?: boolean;
    port?: number;
  } = {},
): Promise<OidcIssuer> {
  const tenant = options.tenant ?? TEST_TENANT;
  const clientId = options.clientId ?? TEST_CLIENT;
  const apiResource = `api://${clientId}`;
  const keys: PrivateJwk[] = [await newKey()];
  const forger = await newKey();
  const users = new Map<string, IssuerUser>();
  const byOid = new Map<string, IssuerUser>();
  const hits: Record<string, number> = {};
  const adapter = memoryAdapter();
  const cookieKeys = [randomBytes(32).toString('base64url')];

  const user: OidcIssuer['user'] = (email, o = {}) => {
    const key = email.toLowerCase();
    let u = users.get(key);
    if (!u) {
      u = {
        email,
        oid: o.oid ?? stableOid(`${o.tenant ?? tenant}\n${key}`),
        name: o.name ?? email.split('@')[0]!,
        tenant: o.tenant ?? tenant,
      };
      users.set(key, u);
      byOid.set(u.oid, u);
    }
    return u;
  };
  const personClaims = (u: IssuerUser) => ({
    oid: u.oid,
    tid: u.tenant,
    preferred_username: u.email,
    email: u.email,
    name: u.name,
  });

  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const configuration = (): Configuration => ({
    adapter,
    jwks: { keys: keys.map((k) => ({ ...k })) as Configuration['jwks'] extends { keys: infer K } ? K : never },
    cookies: { keys: cookieKeys },
    routes: ROUTES,
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [API_CLIENT_REDIRECT(url)],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    // access_as_user is the API's scope (a resource server's, below), not an OpenID Connect one.
    scopes: ['openid', 'profile', 'email'],
    claims: { openid: ['sub', 'oid', 'tid'], email: ['email'], profile: ['name', 'preferred_username'] },
    // Entra puts the person's claims in the ID token itself; the dashboard reads them there.
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const u = byOid.get(id);
      return u ? { accountId: u.oid, claims: () => ({ sub: u.oid, ...personClaims(u) }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `${INTERACTION}${interaction.uid}` },
    // First-party clients: no consent screen; the grant covers what the client asked for.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      const grant =
        (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ??
        new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid profile email');
      for (const indicator of Object.keys(oidc.resourceServers ?? {})) grant.addResourceScope(indicator, SCOPE);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? apiResource,
        useGrantedResource: () => true,
        // `api://<id>` is the API whose app id is <id>: its tokens say `aud: <id>`, as Entra's v2 tokens do.
        getResourceServerInfo: (_ctx, indicator) => ({
          scope: SCOPE,
          audience: indicator.startsWith('api://') ? indicator.slice('api://'.length) : indicator,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
      rpInitiatedLogout: { enabled: true },
    },
    extraTokenClaims: (_ctx, token) => {
      const u = 'accountId' in token && typeof token.accountId === 'string' ? byOid.get(token.accountId) : undefined;
      if (!u) return undefined;
      return { ver: '2.0', ...personClaims(u), scp: token.scope, azp: token.clientId };
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${String(out.error_description ?? out.error).replace(/[<>&"']/g, '')}</p>`);
    },
  });

  let provider = new Provider(url, configuration());

  /** The home-made sign-in page: asks for an email, then hands the provider the account. */
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const current = provider;
    const details = await current.interactionDetails(req, res);
    if (req.method === 'GET') {
      const notice = details.prompt.name === 'login' ? '' : '<p>Continue to finish signing in.</p>';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(
        page(
          'Sign in',
          `${notice}<form method="post" action="${INTERACTION}${details.uid}">` +
            `<label>Email <input name="email" type="email" autocomplete="username" required autofocus></label> ` +
            `<button type="submit">Sign in</button></form>`,
        ),
      );
      return;
    }
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim();
    const known = users.get(email.toLowerCase()) ?? (options.open && EMAIL.test(email) ? user(email) : undefined);
    if (!known) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Sign in', `<p>No such user here.</p><p><a href="${INTERACTION}${details.uid}">Try again</a></p>`));
      return;
    }
    await current.interactionFinished(
      req,
      res,
      { login: { accountId: known.oid } },
      { mergeWithLastSubmission: false },
    );
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const counted = path.replace(/^(\/interaction|\/oauth2\/authorize)\/[^/]+$/, '$1/:uid');
    hits[counted] = (hits[counted] ?? 0) + 1;
    if (path.startsWith(INTERACTION)) {
      interaction(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('sign-in expired: start again from the application');
      });
      return;
    }
    if (path === '/client/callback') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in: the client reads the code from this URL');
      return;
    }
    void provider.callback()(req, res);
  });

  const authorize: OidcIssuer['authorize'] = (authorizationUrl, email) => signInAt(url, authorizationUrl, email);
  const token: OidcIssuer['token'] = async (email, o = {}) => {
    user(email);
    return personToken({ issuer: url, clientId, email, ...(o.resource ? { resource: o.resource } : {}) });
  };

  const mint: OidcIssuer['mint'] = async (email, o = {}) => {
    const u = user(email);
    const current = keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ver: '2.0', ...personClaims(u), scp: SCOPE, azp: clientId, ...o.claims })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'at+jwt' })
      .setIssuer(url)
      .setAudience(o.audience ?? clientId)
      .setSubject(u.oid)
      .setIssuedAt(now - (o.expiresIn !== undefined && o.expiresIn < 0 ? 3600 : 0))
      .setExpirationTime(now + (o.expiresIn ?? 3600))
      .setJti(randomUUID())
      .sign(await importJWK(o.forged ? forger : current, 'RS256'));
  };

  // The key set is the provider's configuration: a new instance over the same storage and cookie keys.
  const rebuild = () => {
    provider = new Provider(url, configuration());
  };

  return {
    url,
    env: {
      OIDC_ISSUER: url,
      AAD_TENANT_ID: tenant,
      AAD_CLIENT_ID: clientId,
      ADDIN_ORIGIN: 'https://rapport.example.com',
    },
    user,
    token,
    bearer: async (email) => `Bearer ${await token(email)}`,
    authorize,
    client: async (metadata) => {
      // Registered clients live in the provider's storage, as dynamically registered ones do.
      await adapter('Client').upsert(
        metadata.client_id,
        {
          ...metadata,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: metadata.client_secret ? 'client_secret_basic' : 'none',
        } as AdapterPayload,
        0,
      );
    },
    mint,
    rotate: async (o = {}) => {
      const fresh = await newKey();
      keys.push(fresh); // published, not yet used: the provider signs with the first key
      rebuild();
      if (o.publishOnly) return;
      keys.splice(keys.indexOf(fresh), 1);
      keys.unshift(fresh);
      rebuild();
    },
    hits,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
