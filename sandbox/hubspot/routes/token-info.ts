import { Hono } from 'hono';
import { jsonBody, SandboxHttpError, type SandboxContext } from '../context.js';
import { grantedScopes } from '../access.js';

/** Ids the sandbox portal reports for its one private app. */
export const SANDBOX_PORTAL = { hubId: 20_261_101, appId: 3_100, userId: 1_001 } as const;

/**
 * HubSpot's private-app access-token info: which portal, app and user a token belongs to and
 * the scopes it holds (POST with the token in `tokenKey`).
 */
export function tokenInfoRoutes(ctx: SandboxContext, accessToken: string | undefined) {
  const app = new Hono({ strict: false });
  app.post('/oauth/v2/private-apps/get/access-token-info', async (c) => {
    const body = await jsonBody<{ tokenKey?: unknown }>(c);
    if (typeof body.tokenKey !== 'string' || body.tokenKey === '') {
      throw new SandboxHttpError(400, 'VALIDATION_ERROR', 'tokenKey is required');
    }
    if (accessToken && body.tokenKey !== accessToken) {
      throw new SandboxHttpError(401, 'INVALID_AUTHENTICATION', 'The access token is not valid for any private app');
    }
    return c.json({ ...SANDBOX_PORTAL, scopes: grantedScopes(ctx.access) });
  });
  return app;
}
