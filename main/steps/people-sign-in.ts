import { servesLoopbackOnly, type Env } from '../../config/env.js';
import { startOidcIssuer, type OidcIssuer } from '../../sandbox/oidc/issuer.js';
import type { Cleanups } from './cleanups.js';

/** The local provider's app registration for Rapport's API (development on loopback only). */
export const LOCAL_ISSUER_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

export interface PeopleSignIn {
  /** What peopleIssuer() reads: the environment's, or the local issuer's. */
  env: Pick<Env, 'OIDC_ISSUER' | 'AAD_TENANT_ID' | 'AAD_CLIENT_ID' | 'AAD_AUDIENCE' | 'AAD_JWKS_URL' | 'ADDIN_ORIGIN'>;
  /** The local OpenID Connect issuer `npm start` runs when no identity provider is configured. */
  local?: { url: string; clientId: string; issuer: OidcIssuer };
}

/**
 * People's sign-in for the API: the organisation's identity provider when configured
 * (OIDC_ISSUER, AAD_TENANT_ID). Otherwise, in development on a server only this machine reaches,
 * a local OpenID Connect provider on loopback (sandbox/oidc/, node-oidc-provider), where any email
 * signs in: the same trust as the add-in's development sign-in, never elsewhere.
 */
export async function startPeopleSignIn(env: Env, cleanups: Cleanups): Promise<PeopleSignIn> {
  if (env.OIDC_ISSUER || env.AAD_TENANT_ID || env.NODE_ENV !== 'development' || !servesLoopbackOnly(env)) {
    return { env };
  }
  const issuer = await startOidcIssuer({ clientId: LOCAL_ISSUER_CLIENT, open: true });
  cleanups.defer(() => issuer.close());
  return {
    env: { ...env, OIDC_ISSUER: issuer.url, AAD_AUDIENCE: [LOCAL_ISSUER_CLIENT] },
    local: { url: issuer.url, clientId: LOCAL_ISSUER_CLIENT, issuer },
  };
}
