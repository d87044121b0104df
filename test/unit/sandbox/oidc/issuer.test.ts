import { createHash } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, peopleIssuer } from '../../../../server/addin/auth.js';
import { startOidcIssuer, TEST_CLIENT, type OidcIssuer } from '../../../../sandbox/oidc/issuer.js';

/**
 * The local OpenID Connect provider (node-oidc-provider), verified the way Rapport verifies
 * people's tokens: discovery, key set, claims.
 */
let open: OidcIssuer;
let closed: OidcIssuer;
let verify: ReturnType<typeof createTokenVerifier>;

beforeAll(async () => {
  [open, closed] = await Promise.all([startOidcIssuer({ open: true }), startOidcIssuer()]);
  verify = createTokenVerifier([
    peopleIssuer({ OIDC_ISSUER: open.url, AAD_TENANT_ID: open.env.AAD_TENANT_ID, AAD_AUDIENCE: [TEST_CLIENT] })!,
  ]);
});
afterAll(async () => {
  await Promise.all([open?.close(), closed?.close()]);
});

type Discovery = Record<string, string | string[]>;
const discovery = async (issuer: OidcIssuer) =>
  (await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json()) as Discovery;
const keySet = async (issuer: OidcIssuer) =>
  (await (await fetch(String((await discovery(issuer)).jwks_uri))).json()) as {
    keys: { kid: string; kty: string; d?: string }[];
  };

const authorizeUrl = (issuer: OidcIssuer, params: Record<string, string>) => {
  const u = new URL(`${issuer.url}/oauth2/authorize`);
  u.search = new URLSearchParams({
    client_id: TEST_CLIENT,
    response_type: 'code',
    redirect_uri: `${issuer.url}/client/callback`,
    scope: 'openid',
    state: 's1',
    ...params,
  }).toString();
  return u;
};

describe('local OpenID Connect provider', () => {
  it('publishes a discovery document naming itself, its key set, the code flow with S256 PKCE', async () => {
    const doc = await discovery(open);
    expect(doc.issuer).toBe(open.url);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.grant_types_supported).not.toContain('password');
    const keys = await keySet(open);
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA' });
    expect(keys.keys[0]!.d).toBeUndefined(); // public half only
  });

  it('signs any email in through the code flow; the same email is the same object id', async () => {
    const [a, b] = await Promise.all([open.token('Ana@Rapport.example'), open.token('ana@rapport.example')]);
    const [ua, ub] = await Promise.all([verify(a), verify(b)]);
    expect(ua).toMatchObject({ email: 'ana@rapport.example', dev: false, tenantId: open.env.AAD_TENANT_ID });
    expect(ua.objectId).toBe(ub.objectId);
  });

  it('signs in only the users it knows when not open', async () => {
    closed.user('known@rapport.example');
    await expect(closed.token('known@rapport.example')).resolves.toMatch(/^ey/);
    const u = authorizeUrl(closed, {
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    // Through the sign-in page by hand: an email it does not know stays on the page.
    const start = await fetch(u, { redirect: 'manual' });
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const pageUrl = new URL(start.headers.get('location')!, closed.url);
    const refused = await fetch(pageUrl, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=stranger%40rapport.example',
      redirect: 'manual',
    });
    expect(refused.status).toBe(400);
  });

  it('refuses the password grant and an authorization request without PKCE', async () => {
    const password = await fetch(`${open.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: TEST_CLIENT,
        username: 'a@b.example',
        password: 'x',
      }),
    });
    expect(password.status).toBe(400);
    expect(((await password.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const back = await open.authorize(authorizeUrl(open, {}), 'ana@rapport.example');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('rotates its key: published first, then used for signing, the old one still published', async () => {
    const issuer = await startOidcIssuer({ open: true });
    try {
      const [first] = (await keySet(issuer)).keys;
      await issuer.rotate({ publishOnly: true });
      const published = (await keySet(issuer)).keys.map((k) => k.kid);
      expect(published).toHaveLength(2);
      expect(decodeProtectedHeader(await issuer.token('ana@rapport.example')).kid).toBe(first!.kid);
      await issuer.rotate();
      const kid = decodeProtectedHeader(await issuer.token('ana@rapport.example')).kid;
      expect(kid).not.toBe(first!.kid);
      expect((await keySet(issuer)).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([first!.kid, kid]));
    } finally {
      await issuer.close();
    }
  });

  it('gives a token for another API that API’s audience, and Rapport refuses it', async () => {
    const other = await open.token('ana@rapport.example', { resource: 'bbbbbbbb-0000-0000-0000-000000000000' });
    await expect(verify(other)).rejects.toThrow(/aud/);
  });
});
