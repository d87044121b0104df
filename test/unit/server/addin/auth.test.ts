import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addinAuth,
  createDevIssuer,
  createTokenVerifier,
  entraIssuer,
  type AddinEnv,
} from '../../../../server/addin/auth.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
let key: CryptoKey;
let otherKey: CryptoKey;
let app: Hono<AddinEnv>;

const token = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; exp?: number; kid?: string } = {}) =>
  new SignJWT({
    preferred_username: 'Ana@Contoso.example',
    name: 'Ana',
    oid: 'oid-1',
    tid: TENANT,
    scp: 'access_as_user',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(CLIENT)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(opts.key ?? key);

beforeAll(async () => {
  const signing = await generateKeyPair('RS256');
  key = signing.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey; // a forger's key, same kid
  const jwk = { ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: 'k0' };
  const pub = await exportJWK(signing.publicKey);
  const verify = createTokenVerifier([
    entraIssuer({ tenantId: TENANT, audiences: [CLIENT], jwks: { keys: [jwk, { ...pub, kid: 'k1', alg: 'RS256' }] } }),
  ]);
  app = new Hono<AddinEnv>()
    .use(addinAuth(verify))
    .get('/me', (c) => c.json(c.get('addinUser')))
    .onError((e, c) => ('getResponse' in e ? (e as { getResponse(): Response }).getResponse() : c.text('boom', 500)));
});

const call = async (auth?: string) => {
  const res = await app.request('/me', { headers: auth ? { authorization: auth } : {} });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
};

describe('add-in token validation', () => {
  it('accepts a valid Entra token and takes the user from it', async () => {
    const { status, body } = await call(`Bearer ${await token()}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ email: 'ana@contoso.example', objectId: 'oid-1', tenantId: TENANT, dev: false });
  });

  it.each([
    ['missing', async () => undefined, /sign in/],
    ['not a JWT', async () => 'Bearer abc.def', /not a JWT/],
    ['expired', async () => `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 3600 })}`, /expired/],
    ['forged (signed by another key)', async () => `Bearer ${await token({}, { key: otherKey })}`, /signature/],
    [
      'another audience',
      async () =>
        `Bearer ${await new SignJWT({ preferred_username: 'a@b.example', scp: 'access_as_user' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`).setAudience('someone-else').setIssuedAt().setExpirationTime('10m').sign(key)}`,
      /aud/,
    ],
    [
      'another issuer',
      async () =>
        `Bearer ${await new SignJWT({ preferred_username: 'a@b.example' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://evil.example').setAudience(CLIENT).setIssuedAt().setExpirationTime('10m').sign(key)}`,
      /issuer/,
    ],
    ['without the scope', async () => `Bearer ${await token({ scp: 'User.Read' })}`, /scope/],
    ['another tenant', async () => `Bearer ${await token({ tid: '99999999-2222-3333-4444-555555555555' })}`, /tenant/],
    [
      'alg none',
      async () =>
        `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, aud: CLIENT, preferred_username: 'a@b.example', exp: 9999999999, iat: 1 })).toString('base64url')}.`,
      /signature/,
    ],
  ])('refuses a token that is %s with 401', async (_name, make, message) => {
    const { status, body } = await call(await make());
    expect(status).toBe(401);
    expect(JSON.stringify(body)).toMatch(message);
  });

  it('development tokens verify through the same path and say so', async () => {
    const dev = await createDevIssuer('dev.rep@rapport.example');
    const verify = createTokenVerifier([dev.trusted]);
    await expect(verify(await dev.mint())).resolves.toMatchObject({ email: 'dev.rep@rapport.example', dev: true });
    await expect(verify(await dev.mint(-120))).rejects.toThrow(/expired/);
    // An Entra verifier does not trust development tokens.
    const entraOnly = createTokenVerifier([entraIssuer({ tenantId: TENANT, audiences: [CLIENT], jwks: { keys: [] } })]);
    await expect(entraOnly(await dev.mint())).rejects.toThrow(/issuer/);
  });
});
