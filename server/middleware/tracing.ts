import { context, propagation, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { createMiddleware } from 'hono/factory';
import { routeTemplate } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * A server span per request, the root of what the request causes (the workflow start, the CRM
 * look-up, and through Temporal's headers the workflow, its activities and their CRM calls). A
 * W3C `traceparent` from the caller is honoured: the span joins the caller's trace. The span is
 * named by the route template (`POST /api/touches`), never the raw path, and carries no query
 * string, header or body: a path's ids are the most it says. Installed only when tracing is on.
 */
export function requestTracing(tracer: Tracer) {
  return createMiddleware(async (c, next) => {
    const carrier: Record<string, string> = {};
    const traceparent = c.req.header('traceparent');
    if (traceparent) {
      carrier.traceparent = traceparent;
      const tracestate = c.req.header('tracestate');
      if (tracestate) carrier.tracestate = tracestate;
    }
    const parent = traceparent ? propagation.extract(context.active(), carrier) : context.active();
    const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    await tracer.startActiveSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': c.req.path } },
      parent,
      async (span) => {
        try {
          await next();
        } finally {
          const route = routeTemplate(c);
          const status = c.res.status;
          span.updateName(`${method} ${route}`);
          span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
          // A 4xx is the caller's mistake, not a failed server (OTel's HTTP server convention).
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        }
      },
    );
  });
}
