import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { REFERENCE_CSS } from '../openapi/reference-page.js';
import { PAGE_CSS } from '../pages.js';
import { PREFERENCES_CSS } from '../preference-page.js';

/**
 * Where Outlook and Office frame the task pane: Outlook on the web and the new Outlook (the
 * Office and cloud.microsoft domains), and Office on the web. Desktop Outlook on Windows and Mac
 * runs the pane in a web view of its own, not a frame. ADDIN_FRAME_ANCESTORS adds origins (a
 * sovereign cloud, an Exchange server on premises).
 */
export const OFFICE_FRAME_ANCESTORS = [
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://outlook.cloud.microsoft',
  'https://*.outlook.com',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.officeapps.live.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
];

export interface SecurityHeaderOptions {
  /** PUBLIC_URL is https: browsers are told to use nothing else (HSTS). */
  https: boolean;
  /** Origins that may frame the add-in besides Office's own. */
  addinFrameAncestors?: string[];
}

const styleHash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

/** The kind of answer a path gives: each kind allows only what its pages need. */
export type PageKind = 'addin' | 'links' | 'preferences' | 'docs' | 'dashboard' | 'api';

export function pageKind(path: string): PageKind {
  if (path === '/addin' || path.startsWith('/addin/')) return 'addin';
  if (/^\/+p(?:\/|$)/.test(path)) return 'preferences';
  if (/^\/+(?:approvals|r|u|trail)(?:\/|$)/.test(path)) return 'links';
  if (path === '/api/docs') return 'docs';
  if (path === '/dashboard' || path.startsWith('/dashboard/')) return 'dashboard';
  return 'api';
}

/**
 * Security headers on every answer (hono's secure-headers), with a Content-Security-Policy per
 * kind of page:
 *  - links (approval, answer and unsubscribe pages; the preference centre with its own sheet): their one style sheet (by hash), forms posting
 *    back to themselves, nothing else: no scripts, images, fonts or frames, and never framed;
 *  - the add-in: its own files, Office.js from Microsoft's CDN, sign-in with Entra, framed only by
 *    Outlook and Office;
 *  - the API reference page: its style sheet only;
 *  - the dashboard (server/dashboard/): its own scripts, style sheets and event streams, nothing
 *    from another origin, no inline script or style, never framed;
 *  - everything else (JSON, Slack, health): nothing at all.
 * Every answer: nosniff, no referrer (link URLs are credentials), HSTS when served over TLS.
 */
export function securityHeaders(options: SecurityHeaderOptions) {
  const common = {
    strictTransportSecurity: options.https ? 'max-age=31536000' : false,
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: true,
    permissionsPolicy: { camera: false, microphone: false, geolocation: false, payment: false },
  };
  const none = ["'none'"];
  const byKind: Record<PageKind, ReturnType<typeof secureHeaders>> = {
    api: secureHeaders({
      ...common,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: { defaultSrc: none, frameAncestors: none, baseUri: none, formAction: none },
    }),
    links: secureHeaders({
      ...common,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: none,
        styleSrc: [styleHash(PAGE_CSS)],
        formAction: ["'self'"],
        baseUri: none,
        frameAncestors: none,
      },
    }),
    preferences: secureHeaders({
      ...common,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: none,
        styleSrc: [styleHash(PREFERENCES_CSS)],
        formAction: ["'self'"],
        baseUri: none,
        frameAncestors: none,
      },
    }),
    docs: secureHeaders({
      ...common,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: none,
        styleSrc: [styleHash(REFERENCE_CSS)],
        formAction: none,
        baseUri: none,
        frameAncestors: none,
      },
    }),
    dashboard: secureHeaders({
      ...common,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: none,
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: none,
        frameAncestors: none,
      },
    }),
    addin: secureHeaders({
      ...common,
      // Framed by Outlook: frame-ancestors says by whom; X-Frame-Options cannot name several origins.
      xFrameOptions: false,
      // Outlook on the web shows the pane's icons from another origin; sign-in may open a window.
      crossOriginResourcePolicy: false,
      crossOriginOpenerPolicy: false,
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
        // Fluent UI writes its styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'https://login.microsoftonline.com'],
        frameSrc: ['https://login.microsoftonline.com'],
        objectSrc: none,
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...OFFICE_FRAME_ANCESTORS, ...(options.addinFrameAncestors ?? [])],
      },
    }),
  };
  return createMiddleware(async (c, next) => byKind[pageKind(c.req.path)](c, next));
}
