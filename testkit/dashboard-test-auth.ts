import { createMiddleware } from 'hono/factory';
import type { DashboardAuth, DashboardEnv } from '../server/dashboard/auth-seam.js';

/** The header the test double reads the viewer from: tests and benches only, never wired in main/. */
export const TEST_VIEWER_HEADER = 'x-test-dashboard-viewer';
export const TEST_CSRF_TOKEN = 'test-csrf-token';

/**
 * A TEST DOUBLE of the dashboard's sign-in (server/dashboard/auth-seam.ts): the viewer is whoever
 * the `x-test-dashboard-viewer` header names (an email); without it every request is answered
 * 401. State-changing requests need `x-csrf-token: test-csrf-token`. The real sign-in (OpenID
 * Connect code + PKCE, a session cookie) is another module's; this one exists so the pages can
 * be tested on their own.
 */
export function createTestDashboardAuth(options: { tenant?: string } = {}): DashboardAuth {
  return {
    require: createMiddleware<DashboardEnv>(async (c, next) => {
      const email = c.req.header(TEST_VIEWER_HEADER)?.trim().toLowerCase();
      if (!email) return c.text('sign in first (test double: no viewer header)', 401);
      c.set('viewer', { person: { id: `test:${email}`, email, name: null }, tenant: options.tenant ?? 'test-tenant' });
      await next();
    }),
    csrf: createMiddleware<DashboardEnv>(async (c, next) => {
      if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && c.req.header('x-csrf-token') !== TEST_CSRF_TOKEN)
        return c.text('missing CSRF token', 403);
      await next();
    }),
    csrfToken: () => TEST_CSRF_TOKEN,
    routes: { fetch: () => new Response('sign-in is not part of the test double', { status: 404 }) },
  };
}
