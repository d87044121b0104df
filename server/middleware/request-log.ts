import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';

export type AppEnv = { Variables: { requestId: string; log: Logger } };

/**
 * Paths whose last segment is a signed link (`<id>.<mac>`): approval links, customers' answer
 * links and one-click unsubscribes. Whoever holds one can use it, so the log keeps the id (enough
 * to find the link in the store) and drops the MAC.
 */
const SIGNED_LINK = /^(\/(?:approvals|r|u)\/[^/.]*)\.[^/]*$/;

/** The path as it may be logged: signed links without their MAC. */
export function loggablePath(path: string): string {
  return path.replace(SIGNED_LINK, '$1.<redacted>');
}

/** One structured line per request with its id; neither the Authorization header nor a link's MAC is ever logged. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.get('requestId');
    const log = logger.child({ requestId });
    c.set('log', log);
    const started = performance.now();
    await next();
    log.info(
      {
        method: c.req.method,
        path: loggablePath(c.req.path),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
}
