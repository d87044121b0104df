import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';
import type { Principal } from '../../domain/identity.js';

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** Who called the API (server/middleware/auth.ts): set on /api/* only. */
    principal?: Principal;
  };
};

/**
 * Paths that carry a signed link (`<id>.<mac>`): approval links, customers' answer links and
 * one-click unsubscribes, however a client mangles them (extra slashes, trailing segments).
 * Whoever holds one can use it, so the log keeps the id (enough to find the link in the store)
 * and drops everything after its first dot.
 */
const SIGNED_LINK_PATH = /^\/+(?:approvals|r|u|trail)(?:\/|$)/;

/** The path as it may be logged: signed links without their MAC. */
export function loggablePath(path: string): string {
  if (!SIGNED_LINK_PATH.test(path)) return path;
  return path
    .split('/')
    .map((segment, i) => (i < 2 ? segment : segment.replace(/\..*$/s, '.<redacted>')))
    .join('/');
}

/** One structured line per request with its id; neither the Authorization header nor a link's MAC is ever logged. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.get('requestId');
    const log = logger.child({ requestId });
    c.set('log', log);
    const started = performance.now();
    await next();
    const principal = c.get('principal');
    log.info(
      {
        method: c.req.method,
        path: loggablePath(c.req.path),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        // Who called the API: a person's id (not their email) or a service principal's name.
        ...(principal
          ? { by: principal.kind === 'person' ? principal.person.id : `service:${principal.service.name}` }
          : {}),
      },
      'request',
    );
  });
}
