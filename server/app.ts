import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import { CrmError } from '../crm/port.js';
import { DomainError } from '../domain/errors.js';
import type { CustomerContext } from './customer-context.js';
import { fromDomainError, httpError, type ErrorBody } from './errors.js';
import { bearerAuth } from './middleware/auth.js';
import { requestLog, type AppEnv } from './middleware/request-log.js';
import { customerRoutes } from './routes/customers.js';
import { healthRoutes, type ReadinessChecks } from './routes/health.js';
import { touchRoutes, type TouchRoutesDeps } from './routes/touches.js';

export interface AppDeps extends TouchRoutesDeps {
  logger: Logger;
  apiTokens: string[];
  context: CustomerContext;
  readiness: ReadinessChecks;
}

export function createApp(deps: AppDeps) {
  const api = new Hono<AppEnv>()
    .use(bearerAuth(deps.apiTokens))
    .route('/touches', touchRoutes(deps))
    .route('/customers', customerRoutes(deps));

  const app = new Hono<AppEnv>()
    .use(requestId({ headerName: 'x-request-id' }))
    .use(requestLog(deps.logger))
    .route('/', healthRoutes(deps.readiness))
    .route('/api', api);

  app.notFound((c) =>
    c.json<ErrorBody>({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    let response: Response;
    if (error instanceof DomainError) response = fromDomainError(error).getResponse();
    else if (error instanceof CrmError && error.retryable) {
      response = httpError('UNAVAILABLE', 'the CRM is not answering; try again shortly', undefined, {
        'retry-after': String(Math.ceil((error.retryAfterMs ?? 5000) / 1000)),
      }).getResponse();
    } else if (error instanceof HTTPException) {
      response =
        error.res ?? httpError(error.status >= 500 ? 'UNAVAILABLE' : 'VALIDATION', error.message).getResponse();
      if (!error.res && error.status < 500) {
        response = new Response(JSON.stringify({ error: { code: 'VALIDATION', message: error.message } }), {
          status: error.status,
          headers: { 'content-type': 'application/json' },
        });
      }
    } else {
      (c.get('log') ?? deps.logger).error({ err: error, requestId }, 'unhandled error');
      response = new Response(
        JSON.stringify({ error: { code: 'INTERNAL', message: 'something went wrong on our side' }, requestId }),
        { status: 500, headers: { 'content-type': 'application/json' } },
      );
    }
    response.headers.set('x-request-id', requestId ?? '');
    return response;
  });

  return app;
}

export type RapportApp = ReturnType<typeof createApp>;
