import type { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import type { ErrorBody, StatusReport } from '../contracts/index.js';
import { CrmError } from '../crm/port.js';
import { DomainError } from '../domain/errors.js';
import type { Metrics } from '../lib/metrics.js';
import type { Tracer } from '@opentelemetry/api';
import type { AlertTrail } from '../services/alert-trail.js';
import type { Hono } from 'hono';
import type { DashboardAuth, DashboardEnv } from './dashboard/auth-seam.js';
import type { CustomerContext } from '../services/customer-context.js';
import { fromDomainError, httpError } from './errors.js';
import { forgedLinks } from './forged-links.js';
import { apiAuth, apiScopes, legacyServices, type ApiCredentials } from './middleware/auth.js';
import { bodyCap } from './middleware/body-cap.js';
import { requestMetrics } from './middleware/metrics.js';
import { requestTracing } from './middleware/tracing.js';
import { PUBLIC_ROUTES, rateLimits } from './middleware/rate-limit.js';
import { requestLog, type AppEnv } from './middleware/request-log.js';
import { securityHeaders, type SecurityHeaderOptions } from './middleware/security-headers.js';
import { validUrl } from './middleware/valid-url.js';
import { apiApp } from './openapi/api-app.js';
import { openApiDocument, registerSecuritySchemes, type OpenApiDocument } from './openapi/document.js';
import { responseCheck, type ContractViolationHandler } from './openapi/response-check.js';
import { alertRoutes, type AlertRoutesDeps } from './routes/alerts.js';
import { approvalRoutes } from './routes/approvals.js';
import { customerRoutes } from './routes/customers.js';
import { docsRoutes } from './routes/docs.js';
import { inboundRoutes } from './routes/inbound.js';
import { answerMetrics, type MetricsEndpoint } from './routes/metrics.js';
import { responseRoutes } from './routes/responses.js';
import { preferenceRoutes } from './routes/preferences.js';
import type { PreferenceCentre } from '../services/preferences.js';
import { slackRoutes } from './routes/slack.js';
import { smsInboundRoutes } from './routes/sms-inbound.js';
import { healthRoutes, statusRoutes, type ReadinessChecks } from './routes/health.js';
import { topicRoutes, type TopicRoutesDeps } from './routes/topics.js';
import { touchRoutes, type TouchRoutesDeps } from './routes/touches.js';
import { trailPageRoutes } from './routes/trail-page.js';
import { trailRoutes } from './routes/trail.js';
import { dashboardRoutes, type DashboardDeps } from './dashboard/routes.js';

export interface AppDeps extends TouchRoutesDeps {
  /** The broadcast engine (alerts, approval links, customer responses); absent: those routes are not mounted. */
  broadcast?: AlertRoutesDeps & { secret: string; trail?: AlertTrail };
  /** The customers' preference centre at /p (signed per-contact links); absent: not mounted. */
  preferences?: PreferenceCentre;
  /** The topic catalogue at /api/topics; absent: not mounted. */
  topics?: TopicRoutesDeps;
  logger: Logger;
  /** API_TOKENS: unnamed tokens, each a service principal (`api-token-<n>`) with every scope. */
  apiTokens?: string[];
  /** API_SERVICE_TOKENS and people's sign-in (server/middleware/auth.ts). */
  credentials?: Partial<ApiCredentials>;
  /** Requests per minute per client on the public routes (0: off); default all off. */
  rateLimits?: { links: number; webhooks: number; slack: number; clientHeader?: string };
  /** Security headers: HSTS when PUBLIC_URL is https, origins that may frame the add-in. Default: plain HTTP. */
  security?: SecurityHeaderOptions;
  context: CustomerContext;
  /** /readyz: what the process needs to serve (the store, Temporal); never the CRM or a channel. */
  readiness: ReadinessChecks;
  /** GET /api/status: the CRM and the channels (services/status.ts). */
  status: { report(): Promise<StatusReport> };
  /** Outlook add-in: /addin/* (task pane) and /api/addin/* (its own token auth); see server/addin/routes.ts. */
  addin?: OpenAPIHono<AppEnv>;
  /** Texts back to the alert number at POST /sms/inbound (Twilio-signed); absent when SMS is not configured. */
  smsInbound?: { authToken: string; publicUrl: string };
  /** Slack: Bolt's requests at POST /slack/events (signed, so no bearer token); see slack-app/. */
  slack?: { handle(request: Request): Promise<Response> };
  /**
   * Tests: hold every answer to its route's contract (status, content type, JSON schema); a
   * mismatch is reported here and answered 500. See server/openapi/response-check.ts.
   */
  onContractViolation?: ContractViolationHandler;
  /** Requests counted by route template and status (lib/metrics.ts); unset: not counted. */
  metrics?: Metrics;
  /** GET /metrics for Prometheus, behind its own bearer token (METRICS_TOKEN); unset: not served. */
  metricsEndpoint?: MetricsEndpoint;
  /** A server span per request (W3C traceparent honoured) when tracing is on (main/tracing.ts); unset: none. */
  tracer?: Tracer;
  /**
   * The dashboard: its sign-in routes at /dashboard/auth (server/dashboard/sign-in.ts) and its pages
   * at /dashboard, each behind auth.require; unset: not served.
   */
  dashboard?: { auth: DashboardAuth; pages?: Hono<DashboardEnv> } & Partial<Omit<DashboardDeps, 'auth'>>;
}

export function createApp(deps: AppDeps) {
  const api = apiApp()
    .use(
      apiAuth({
        ...deps.credentials,
        services: [...(deps.credentials?.services ?? []), ...legacyServices(deps.apiTokens ?? [])],
      }),
    )
    .use(apiScopes());
  api
    .route('/touches', touchRoutes(deps))
    .route('/customers', customerRoutes(deps))
    .route('/', statusRoutes(deps.status));
  if (deps.broadcast)
    api.route('/alerts', alertRoutes(deps.broadcast)).route('/inbound', inboundRoutes(deps.broadcast));
  if (deps.topics) api.route('/topics', topicRoutes(deps.topics));
  const trail = deps.broadcast?.trail;
  if (deps.broadcast && trail) api.route('/alerts', trailRoutes({ alerts: deps.broadcast.alerts, trail }));

  const app = apiApp();
  registerSecuritySchemes(app);
  app.use(requestId({ headerName: 'x-request-id' })).use(requestLog(deps.logger));
  if (deps.tracer) app.use(requestTracing(deps.tracer));
  if (deps.metrics) app.use(requestMetrics(deps.metrics));
  app.use(securityHeaders(deps.security ?? { https: false }));
  const limits = deps.rateLimits;
  if (limits) {
    // Before any other work, reading the body included.
    app.use(
      rateLimits(
        [
          { name: 'links', matches: PUBLIC_ROUTES.links, perMinute: limits.links },
          { name: 'webhooks', matches: PUBLIC_ROUTES.webhooks, perMinute: limits.webhooks },
          { name: 'slack', matches: PUBLIC_ROUTES.slack, perMinute: limits.slack },
        ],
        { clientHeader: limits.clientHeader },
      ),
    );
  }
  app.use(validUrl()).use(
    bodyCap({
      defaultBytes: 64 * 1024,
      byPath: {
        // Raw MIME with attachments; the route's own cap is the same.
        '/api/inbound/email': 2 * 1024 * 1024,
        // Slack's own payloads stay far below this (a view submission is a few KB to tens of KB);
        // capped here, before slack-app/receiver.ts reads the body to check its signature.
        '/slack/events': 1024 * 1024,
      },
    }),
  );
  if (deps.onContractViolation) app.use(responseCheck(app, deps.onContractViolation));
  let document: OpenApiDocument | undefined;
  const metricsEndpoint = deps.metricsEndpoint;
  if (metricsEndpoint) app.get('/metrics', (c) => answerMetrics(c.req.raw, metricsEndpoint));
  app
    .route('/', healthRoutes(deps.readiness))
    .route('/', slackRoutes(deps.slack))
    .route('/', deps.addin ?? apiApp()) // before /api: add-in routes use their own auth
    .route(
      '/api',
      docsRoutes(() => (document ??= openApiDocument(app))),
    ) // before /api: no credential
    .route('/api', api);

  if (deps.dashboard) {
    const { auth, pages } = deps.dashboard;
    app.mount('/dashboard/auth', (request) => auth.routes.fetch(request));
    if (pages) app.route('/dashboard', pages);
  }

  // Links in emails: no bearer token; the signed token in the path is the credential.
  if (deps.broadcast) {
    const links = { ...deps.broadcast, forgedLinks: forgedLinks() };
    const responses = responseRoutes(links);
    app.route('/approvals', approvalRoutes(links)).route('/r', responses.actions).route('/u', responses.unsubscribe);
    if (trail)
      app.route('/trail', trailPageRoutes({ alerts: deps.broadcast.alerts, trail, forgedLinks: links.forgedLinks }));
    if (deps.preferences)
      app.route('/p', preferenceRoutes({ preferences: deps.preferences, forgedLinks: links.forgedLinks }));
    if (deps.smsInbound) app.route('/sms', smsInboundRoutes({ ...deps.broadcast, ...deps.smsInbound }));
  }

  const dashboard = deps.dashboard;
  if (dashboard?.data && dashboard.deliveries && dashboard.responses) {
    app.route(
      '/dashboard',
      dashboardRoutes({
        ...dashboard,
        data: dashboard.data,
        deliveries: dashboard.deliveries,
        responses: dashboard.responses,
      }) as never,
    );
  }

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
      // Hono's own 4xx (e.g. malformed JSON) get Rapport's error body too.
      response =
        error.res ??
        (error.status >= 500
          ? httpError('UNAVAILABLE', error.message).getResponse()
          : Response.json({ error: { code: 'VALIDATION', message: error.message } }, { status: error.status }));
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
