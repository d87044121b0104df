import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A tenant and app registration for tests; any GUIDs do. */
export const TEST_TENANT = '11111111-2222-3333-4444-555555555555';
export const TEST_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const OTHER_TENANT = '99999999-8888-7777-6666-555555555555';
/** The delegated scope Rapport's API and add-in require (server/addin/auth.ts ADDIN_SCOPE). */
const SCOPE = 'access_as_user';

export interface IssuerUser {
  email: string;
  /** Immutable object id, as Entra's `oid`. */
  oid: string;
  name: string;
  tenant: string;
  password: string;
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

export interface OidcIssuer {
  /** The issuer URL (`iss`); its discovery document is at /.well-known/openid-configuration. */
  url: string;
  /** The environment that makes Rapport trust this issuer for people (API and add-in). */
  env: Record<string, string>;
  /** Registers (or returns) a user of the tenant; the same email is always the same object id. */
  user(email: string, options?: { tenant?: string; oid?: string; name?: string }): IssuerUser;
  /** An access token through the token endpoint (password grant), as a client of Rapport gets it. */
  token(email: string, options?: { scope?: string; resource?: string }): Promise<string>;
  /** `Bearer <token>` for the user. */
  bearer(email: string): Promise<string>;
  /** A token signed by the issuer's current key without the token endpoint: for claims no client would be given. */
  mint(email: string, options?: MintOptions): Promise<string>;
  /** A new signing key: published next to the old one, and used from now on. */
  rotate(): Promise<void>;
  /** Counts of requests per path (discovery, keys, token). */
  hits: Record<string, number>;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  key: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const pair = await generateKeyPair('RS256');
  const kid = randomUUID();
  return { kid, key: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** The same email is the same object id across restarts (the people table keeps the binding). */
const stableOid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((done, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) req.destroy();
    });
    req.on('end', () => done(body));
    req.on('error', fail);
  });

/**
 * A minimal OpenID Connect provider on loopback, standing in for Microsoft Entra ID in tests:
 * discovery document, JSON Web Key Set (with rotation), and a token endpoint (OAuth 2.0 password
 * grant for test users, client credentials for an app) issuing RS256 access tokens shaped as
 * Entra's v2 tokens (`oid`, `tid`, `scp`, `preferred_username`). Rapport verifies them through
 * the same discovery, key set and claim checks as in production. Built on jose because
 * node-oidc-provider is not installed here; it is the package that should replace this.
 */
export async function startOidcIssuer(
  options: {
    tenant?: string;
    clientId?: string;
    /**
     * `npm start` in development: any email signs in with this password (loopback only, like the
     * add-in's development sign-in). Unset: only users registered through user().
     */
    openPassword?: string;
    port?: number;
  } = {},
): Promise<OidcIssuer> {
  const tenant = options.tenant ?? TEST_TENANT;
  const clientId = options.clientId ?? TEST_CLIENT;
  const keys: SigningKey[] = [await newKey()];
  const forger = await newKey();
  const users = new Map<string, IssuerUser>();
  const hits: Record<string, number> = {};
  let url = '';

  const user: OidcIssuer['user'] = (email, o = {}) => {
    const key = email.toLowerCase();
    let u = users.get(key);
    if (!u) {
      u = {
        email,
        oid: o.oid ?? stableOid(`${o.tenant ?? tenant}\n${key}`),
        name: o.name ?? email.split('@')[0]!,
        tenant: o.tenant ?? tenant,
        password: options.openPassword ?? 'test-password',
      };
      users.set(key, u);
    }
    return u;
  };

  const sign = async (u: IssuerUser, o: MintOptions = {}) => {
    const current = keys.at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      ver: '2.0',
      oid: u.oid,
      tid: u.tenant,
      scp: SCOPE,
      preferred_username: u.email,
      name: u.name,
      azp: clientId,
      ...o.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'JWT' })
      .setIssuer(url)
      .setAudience(o.audience ?? clientId)
      .setSubject(`sub-${u.oid}`)
      .setIssuedAt(now - (o.expiresIn !== undefined && o.expiresIn < 0 ? 3600 : 0))
      .setExpirationTime(now + (o.expiresIn ?? 3600))
      .setJti(randomUUID())
      .sign(o.forged ? forger.key : current.key);
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: url,
        jwks_uri: `${url}/discovery/keys`,
        token_endpoint: `${url}/oauth2/token`,
        authorization_endpoint: `${url}/oauth2/authorize`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        grant_types_supported: ['password', 'client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        scopes_supported: ['openid', 'profile', 'email', SCOPE],
      });
    }
    if (req.method === 'GET' && path === '/discovery/keys') return json(200, { keys: keys.map((k) => k.jwk) });
    if (req.method === 'POST' && path === '/oauth2/token') {
      void readBody(req).then(
        async (raw) => {
          const form = new URLSearchParams(raw);
          const bad = (error: string, description: string) => json(400, { error, error_description: description });
          if (form.get('client_id') !== clientId) return bad('invalid_client', 'unknown client_id');
          const scopes = (form.get('scope') ?? '').split(' ');
          const wanted = scopes.find((s) => s === SCOPE || s.endsWith(`/${SCOPE}`));
          if (form.get('grant_type') === 'password') {
            const username = (form.get('username') ?? '').trim();
            if (options.openPassword && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(username)) user(username);
            const u = users.get(username.toLowerCase());
            if (!u || form.get('password') !== u.password)
              return bad('invalid_grant', 'unknown user or wrong password');
            if (!wanted) return bad('invalid_scope', `ask for the ${SCOPE} scope`);
            const resource = form.get('resource') ?? undefined;
            const token = await sign(u, resource ? { audience: resource } : {});
            return json(200, { token_type: 'Bearer', access_token: token, expires_in: 3600, scope: wanted });
          }
          return bad('unsupported_grant_type', 'password only');
        },
        () => json(400, { error: 'invalid_request' }),
      );
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const token: OidcIssuer['token'] = async (email, o = {}) => {
    const u = user(email);
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: clientId,
        username: u.email,
        password: u.password,
        scope: o.scope ?? `api://${clientId}/${SCOPE}`,
        ...(o.resource ? { resource: o.resource } : {}),
      }).toString(),
    });
    const body = (await res.json()) as { access_token?: string; error_description?: string };
    if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error_description}`);
    return body.access_token;
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
    mint: (email, o) => sign(user(email), o),
    rotate: async () => {
      keys.push(await newKey());
    },
    hits,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
