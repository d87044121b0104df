import { startOidcIssuer, TEST_CLIENT, TEST_TENANT } from './oidc-issuer.js';

export { TEST_CLIENT, TEST_TENANT };

export interface EntraKeys {
  /** The environment that makes Rapport trust this issuer (OIDC_ISSUER, AAD_* and ADDIN_ORIGIN). */
  env: Record<string, string>;
  /** `Bearer <token>` for a user of the tenant, from the issuer's token endpoint. */
  bearer(email: string): Promise<string>;
  close(): Promise<void>;
}

/** The add-in's tokens as Entra issues them, from the local OpenID Connect issuer (testkit/oidc-issuer.ts). */
export async function startEntraKeys(): Promise<EntraKeys> {
  const issuer = await startOidcIssuer();
  return { env: issuer.env, bearer: issuer.bearer, close: issuer.close };
}
