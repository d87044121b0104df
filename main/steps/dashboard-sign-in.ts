import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { entraIssuers } from '../../server/addin/auth.js';
import type { DashboardAuth } from '../../server/dashboard/auth-seam.js';
import { CALLBACK_PATH, createDashboardAuth } from '../../server/dashboard/sign-in.js';
import type { PeopleDirectory } from '../../services/people.js';
import type { PeopleSignIn } from './people-sign-in.js';

/** The dashboard's client id at the local provider `npm start` runs. */
export const LOCAL_DASHBOARD_CLIENT = 'rapport-dashboard';

export interface DashboardSignIn {
  auth: DashboardAuth;
  /** Where a person starts signing in, and at which provider. */
  signInUrl: string;
  issuer: string;
  local: boolean;
}

/**
 * The dashboard's sign-in at the people identity's provider: the organisation's (DASHBOARD_CLIENT_ID
 * with OIDC_ISSUER or AAD_TENANT_ID), or, in development on loopback, the local OpenID Connect
 * provider of people-sign-in.ts, where the dashboard is registered here with a fresh secret.
 * Undefined: no dashboard sign-in (nothing of the dashboard is served).
 */
export async function startDashboardSignIn(
  env: Env,
  signIn: PeopleSignIn,
  deps: { people: PeopleDirectory; secret: string; publicUrl: string; logger: Logger },
): Promise<DashboardSignIn | undefined> {
  const redirectUri = `${deps.publicUrl.replace(/\/$/, '')}${CALLBACK_PATH}`;
  let issuer: string;
  let clientId: string;
  let clientSecret: string | undefined;
  if (signIn.local) {
    issuer = signIn.local.url;
    clientId = env.DASHBOARD_CLIENT_ID ?? LOCAL_DASHBOARD_CLIENT;
    clientSecret = env.DASHBOARD_CLIENT_SECRET ?? randomBytes(24).toString('base64url');
    await signIn.local.issuer.client({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
    });
  } else if (env.DASHBOARD_CLIENT_ID && (env.OIDC_ISSUER || env.AAD_TENANT_ID)) {
    issuer = env.OIDC_ISSUER ?? entraIssuers(env.AAD_TENANT_ID!)[0]!;
    clientId = env.DASHBOARD_CLIENT_ID;
    clientSecret = env.DASHBOARD_CLIENT_SECRET;
  } else {
    return undefined;
  }
  const auth = createDashboardAuth({
    issuer,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    publicUrl: deps.publicUrl,
    ...(signIn.env.AAD_TENANT_ID ? { tenantId: signIn.env.AAD_TENANT_ID } : {}),
    secret: deps.secret,
    people: deps.people,
    sessionHours: env.DASHBOARD_SESSION_HOURS,
    logger: deps.logger,
  });
  return {
    auth,
    issuer,
    local: signIn.local !== undefined,
    signInUrl: `${deps.publicUrl.replace(/\/$/, '')}/dashboard/auth/sign-in`,
  };
}
