import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../../lib/metrics.js';

/**
 * The route template that answered (`/api/alerts/:id`), never the raw path: a path can hold a
 * signed link or a customer's id, and every distinct label value is a new series.
 */
export function routeTemplate(c: Context): string {
  const route = matchedRoutes(c)
    .slice(c.req.routeIndex)
    .find((r) => r.method !== 'ALL');
  return route?.path ?? 'unmatched';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Counts every request by method, route template and status, with its duration. */
export function requestMetrics(metrics: Metrics) {
  return createMiddleware(async (c, next) => {
    const started = performance.now();
    await next();
    const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    metrics.httpRequest(method, routeTemplate(c), c.res.status, (performance.now() - started) / 1000);
  });
}
