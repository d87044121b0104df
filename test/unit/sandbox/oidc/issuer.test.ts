import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, peopleIssuer } from '../../../../server/addin/auth.js';
import { startOidcIssuer, type OidcIssuer } from '../../../../sandbox/oidc/issuer.js';

/** The local OpenID Connect issuer, verified the way Rapport verifies people's tokens: discovery, key set, claims. */
let issuer: OidcIssuer;
let verify: ReturnType<typeof createTokenVerifier>;

beforeAll(async () => {
  issuer = await startOidcIssuer({ openPassword: 'open-sesame' });
  verify = createTokenVerifier([peopleIssuer({ OIDC_ISSUER: issuer.url, AAD_AUDIENCE: [issuer.env.AAD_CLIENT_ID!] })!]);
});
afterAll(() => issuer?.close());

const grant = (fields: Record<string, string>) =>
  fetch(`${issuer.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams(fields) });

describe('local OpenID Connect issuer', () => {
  it('publishes a discovery document naming itself and its key set', async () => {
    const doc = (await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(doc.issuer).toBe(issuer.url);
    const keys = (await (await fetch(doc.jwks_uri!)).json()) as { keys: { kid: string; kty: string; d?: string }[] };
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA' });
    expect(keys.keys[0]!.d).toBeUndefined(); // public half only
  });

  it('signs in any email with the open password; the same email is the same object id', async () => {
    const ask = () =>
      grant({
        grant_type: 'password',
        client_id: issuer.env.AAD_CLIENT_ID!,
        username: 'Ana@Rapport.example',
        password: 'open-sesame',
        scope: 'access_as_user',
      }).then((r) => r.json() as Promise<{ access_token: string }>);
    const [a, b] = await Promise.all([ask(), ask()]);
    const [ua, ub] = await Promise.all([verify(a.access_token), verify(b.access_token)]);
    expect(ua).toMatchObject({ email: 'ana@rapport.example', dev: false });
    expect(ua.objectId).toBe(ub.objectId);
  });

  it('refuses a wrong password, an unknown client and a missing scope', async () => {
    const base = { grant_type: 'password', client_id: issuer.env.AAD_CLIENT_ID!, username: 'ana@rapport.example' };
    expect((await grant({ ...base, password: 'nope', scope: 'access_as_user' })).status).toBe(400);
    expect(
      (await grant({ ...base, password: 'open-sesame', client_id: 'other', scope: 'access_as_user' })).status,
    ).toBe(400);
    expect((await grant({ ...base, password: 'open-sesame' })).status).toBe(400);
  });
});
