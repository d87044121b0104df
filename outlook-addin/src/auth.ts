import { createNestablePublicClientApplication, InteractionRequiredAuthError } from '@azure/msal-browser';
import type { TokenSource } from './api.js';
import type { AddinClientConfig } from './types.js';

/**
 * Tokens for Rapport's add-in API.
 *  - entra: nested app authentication (MSAL `createNestablePublicClientApplication`): Outlook
 *    signs the user in; the token's audience is Rapport's app registration. Silent first, a
 *    popup only when consent or MFA is needed.
 *  - dev:   ADDIN_DEV_AUTH=true on the server mints a local token for its configured
 *    development user. The pane shows a red banner the whole time.
 */
export function createTokenSource(
  config: AddinClientConfig,
  options: { fetch?: typeof fetch; baseUrl?: string } = {},
): TokenSource {
  if (config.auth === 'entra' && config.clientId && config.tenantId) return entraTokens(config);
  if (config.auth === 'dev') return devTokens(options);
  return {
    getToken: () =>
      Promise.reject(new Error('sign-in is not configured on the Rapport server (AAD_TENANT_ID, AAD_CLIENT_ID)')),
  };
}

function entraTokens(config: AddinClientConfig): TokenSource {
  const pca = createNestablePublicClientApplication({
    auth: { clientId: config.clientId!, authority: `https://login.microsoftonline.com/${config.tenantId!}` },
  });
  return {
    async getToken(opts) {
      const app = await pca;
      const request = { scopes: config.scopes, forceRefresh: opts?.forceRefresh === true };
      try {
        return (await app.acquireTokenSilent(request)).accessToken;
      } catch (error) {
        if (!(error instanceof InteractionRequiredAuthError)) throw error;
        return (await app.acquireTokenPopup({ scopes: config.scopes })).accessToken;
      }
    },
  };
}

function devTokens(options: { fetch?: typeof fetch; baseUrl?: string }): TokenSource {
  let cached: { token: string; until: number } | undefined;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return {
    async getToken(opts) {
      if (cached && !opts?.forceRefresh && Date.now() < cached.until) return cached.token;
      const res = await doFetch(`${options.baseUrl ?? ''}/api/addin/dev-token`, { method: 'POST' });
      if (!res.ok) throw new Error(`development sign-in refused (${res.status})`);
      const { token } = (await res.json()) as { token: string };
      cached = { token, until: Date.now() + 50 * 60_000 };
      return token;
    },
  };
}
