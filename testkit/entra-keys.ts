import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** A tenant and app registration for add-in tests; any GUIDs do. */
export const TEST_TENANT = '11111111-2222-3333-4444-555555555555';
export const TEST_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

export interface EntraKeys {
  /** The environment that makes Rapport trust these keys (AAD_* and ADDIN_ORIGIN). */
  env: Record<string, string>;
  /** `Bearer <token>` for a user of the tenant, signed like an Entra access token for the add-in. */
  bearer(email: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A signing key and its key set served over HTTP (AAD_JWKS_URL): the add-in's tokens as Entra
 * issues them, verified by Rapport through the same JWKS path as in production.
 */
export async function startEntraKeys(): Promise<EntraKeys> {
  const pair = await generateKeyPair('RS256');
  const key: CryptoKey = pair.privateKey;
  const body = JSON.stringify({
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }],
  });
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(body),
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    env: {
      AAD_TENANT_ID: TEST_TENANT,
      AAD_CLIENT_ID: TEST_CLIENT,
      AAD_JWKS_URL: `http://127.0.0.1:${port}/keys`,
      ADDIN_ORIGIN: 'https://rapport.example.com',
    },
    bearer: async (email) =>
      `Bearer ${await new SignJWT({
        preferred_username: email,
        oid: `oid-${email}`,
        tid: TEST_TENANT,
        scp: 'access_as_user',
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(`https://login.microsoftonline.com/${TEST_TENANT}/v2.0`)
        .setAudience(TEST_CLIENT)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
        .sign(key)}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
