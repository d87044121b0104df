import type { Context, MiddlewareHandler } from 'hono';
import type { Person } from '../../domain/identity.js';

/**
 * The seam between the dashboard's pages (server/dashboard/) and its sign-in (OpenID Connect
 * authorization code with PKCE, a session cookie, CSRF tokens). The pages only ask "who is
 * looking?" and "is this change really from the page I served?"; how a person signs in is the
 * sign-in module's business, wired in main/.
 */
export interface DashboardViewer {
  person: Person;
  /** The identity provider's tenant of the signed-in person (a person of another tenant never gets a viewer). */
  tenant: string | null;
}

export interface DashboardEnv {
  Variables: { viewer: DashboardViewer };
}

export interface DashboardAuth {
  /**
   * Sets `c.var.viewer` for a signed-in person. Otherwise a page request (Accept: text/html, GET) is
   * redirected to sign in and comes back to the same URL; anything else (data, CSV, event streams)
   * is answered 401.
   */
  require: MiddlewareHandler<DashboardEnv>;
  /** Answers 403 to a state-changing request (POST, PUT, DELETE) without the session's CSRF token. */
  csrf: MiddlewareHandler<DashboardEnv>;
  /** The session's CSRF token, for a form's hidden field or a fetch header (`x-csrf-token`). */
  csrfToken(c: Context<DashboardEnv>): string;
  /** Sign-in, callback and sign-out routes, mounted under /dashboard/auth. */
  routes: { fetch(request: Request): Response | Promise<Response> };
}
