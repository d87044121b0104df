import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';

export type AppEnv = { Variables: { requestId: string; log: Logger } };

/** One structured line per request with its id; the Authorization header is never logged. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.get('requestId');
    const log = logger.child({ requestId });
    c.set('log', log);
    const started = performance.now();
    await next();
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
}
