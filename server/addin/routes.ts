import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { devSignInOn, isLoopbackHost, type Env } from '../../config/env.js';
import {
  addinConfigSchema,
  addinMeSchema,
  addinTouchBody,
  contextQuery,
  customerContextSchema,
  devTokenSchema,
  followUpCompletedSchema,
  followUpIdParams,
  touchAcceptedSchema,
  touchIdParams,
  touchSchema,
  type AddinConfig,
} from '../../contracts/index.js';
import { touchInputSchema } from '../../domain/touch.js';
import type { TouchStore } from '../../store/touches.js';
import type { CustomerContext } from '../../services/customer-context.js';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';
import { touchView } from '../routes/touches.js';
import type { TouchIntake } from '../../services/touch-intake.js';
import type { PeopleDirectory } from '../../services/people.js';
import { addinApprovalRoutes, type AddinApprovalDeps } from './approvals.js';
import { addinSummaryRoutes } from './summary.js';
import type { LiveSummaryService } from '../../services/live-summary.js';
import {
  ADDIN_SCOPE,
  addinAuth,
  createDevIssuer,
  createTokenVerifier,
  peopleIssuer,
  type AddinEnv,
  type TrustedIssuer,
} from './auth.js';

export interface AddinDeps {
  env: Pick<
    Env,
    | 'ADDIN_ORIGIN'
    | 'AAD_TENANT_ID'
    | 'AAD_CLIENT_ID'
    | 'AAD_AUDIENCE'
    | 'AAD_JWKS_URL'
    | 'OIDC_ISSUER'
    | 'ADDIN_DEV_AUTH'
    | 'ADDIN_DEV_USER'
    | 'ADDIN_INTERNAL_DOMAINS'
    | 'NODE_ENV'
    | 'HOST'
    | 'PUBLIC_URL'
  >;
  logger: Logger;
  context: CustomerContext;
  intake: TouchIntake;
  touches: TouchStore;
  /** The broadcast engine's approvals (GET /api/addin/alerts/:id, POST .../decision); absent: not mounted. */
  approvals?: AddinApprovalDeps;
  /** The live summary of the person's alerts (GET /api/addin/summary); absent: not mounted. */
  summary?: LiveSummaryService;
  /** Binds tokens' object ids to people (services/people.ts); absent: the token's email as it is. */
  people?: PeopleDirectory;
  /** The built task pane (npm run build:addin); default outlook-addin/dist under the working directory. */
  distDir?: string;
}

export const DEFAULT_DEV_USER = 'dev.rep@rapport.example';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const tags = ['add-in'];
const security = SECURITY.addinToken;
/** Every /api/addin route may answer these: no or a bad token (401), sign-in not configured or keys unreachable (503). */
const signIn = errors(401);

const config = createRoute({
  method: 'get',
  path: '/addin/config.json',
  tags,
  summary: "The task pane's sign-in configuration",
  responses: { 200: json('Public configuration (no secrets).', addinConfigSchema), ...errors() },
});

const devToken = createRoute({
  method: 'post',
  path: '/api/addin/dev-token',
  tags,
  summary: 'A token for the development user (loopback servers only, never in production)',
  responses: { 200: json('A short-lived development token.', devTokenSchema), ...errors(404) },
});

const taskPane = createRoute({
  method: 'get',
  path: '/addin',
  tags,
  summary: 'The task pane (its files are under /addin/)',
  responses: { 302: { description: 'To /addin/taskpane.html.' }, ...errors() },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'The signed-in user, from the verified token',
  responses: { 200: json('The user.', addinMeSchema), ...signIn },
});

const context = createRoute({
  method: 'get',
  path: '/context',
  tags,
  security,
  summary: 'The customer context, for the sender of the open email',
  request: { query: contextQuery },
  responses: { 200: json('The customer context.', customerContextSchema), ...signIn, ...errors(400, 404) },
});

const logTouch = createRoute({
  method: 'post',
  path: '/touches',
  tags,
  security,
  summary: 'Log a touch as the signed-in user',
  description: 'The user comes from the token, never from the body; the same messageId is the same touch.',
  middleware: [
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'request body is larger than 64 KB', '(body)');
      },
    }),
    otherMediaTypeAsEmpty('json', addinTouchBody),
  ],
  request: { body: jsonBody(addinTouchBody) },
  responses: {
    202: json('Accepted; poll `statusUrl`.', touchAcceptedSchema),
    ...signIn,
    ...errors(400, 409, 422),
  },
});

const completeFollowUp = createRoute({
  method: 'post',
  path: '/follow-ups/{id}/complete',
  tags,
  security,
  summary: 'Mark a follow-up (CRM task) done, as the signed-in user',
  description:
    "The user's own tasks (their CRM owner's) and the ones Rapport created; 403 for anyone else's. Who completed it is written on the task.",
  request: { params: followUpIdParams },
  responses: { 200: json('Done.', followUpCompletedSchema), ...signIn, ...errors(400, 403, 404) },
});

const showTouch = createRoute({
  method: 'get',
  path: '/touches/{id}',
  tags,
  security,
  summary: 'A touch and where it is on its way to the CRM',
  request: { params: touchIdParams },
  responses: { 200: json('The touch.', touchSchema), ...signIn, ...errors(400, 404) },
});

/**
 * The Outlook add-in's face of the server:
 *  - /addin/*        the built task pane (static, no auth: it holds no data) and its config;
 *  - /api/addin/*    the pane's API, authenticated by add-in (Entra) tokens. These are separate
 *                    from /api/* because the acting user must come from the token: API tokens
 *                    are service credentials and name nobody, so /api/touches takes `loggedBy`
 *                    from the body, which an add-in route must never trust.
 * Mount before /api (its bearer-token middleware would otherwise answer first).
 */
export async function createAddinRoutes(deps: AddinDeps) {
  const { env } = deps;
  const distDir = resolve(deps.distDir ?? 'outlook-addin/dist');

  const trusted: TrustedIssuer[] = [];
  const people = peopleIssuer(env);
  if (people) trusted.push(people);
  const dev = devSignInOn(env) ? await createDevIssuer(env.ADDIN_DEV_USER ?? DEFAULT_DEV_USER) : null;
  if (dev) {
    trusted.push(dev.trusted);
    deps.logger.warn(
      { devUser: dev.user },
      '!!! The add-in DEVELOPMENT SIGN-IN is on (loopback only; ADDIN_DEV_AUTH=false turns it off): whoever reaches this server from this machine acts in the Outlook add-in as the development user. !!!',
    );
  }

  const host = env.ADDIN_ORIGIN ? new URL(env.ADDIN_ORIGIN).host : null;
  const clientConfig: AddinConfig = {
    // The pane signs in with MSAL, so only Entra's app registration makes it 'entra'; another
    // OpenID Connect issuer (OIDC_ISSUER without a tenant) serves the API, not the pane.
    auth: people && env.AAD_TENANT_ID && env.AAD_CLIENT_ID ? 'entra' : dev ? 'dev' : 'none',
    clientId: env.AAD_CLIENT_ID ?? null,
    tenantId: env.AAD_TENANT_ID ?? null,
    scopes: env.AAD_CLIENT_ID ? [`api://${host ?? 'localhost'}/${env.AAD_CLIENT_ID}/${ADDIN_SCOPE}`] : [],
    internalDomains: env.ADDIN_INTERNAL_DOMAINS ?? [],
    devUser: dev?.user ?? null,
  };
  if (clientConfig.auth === 'entra' && dev) clientConfig.devUser = dev.user;

  const api = apiApp<AddinEnv>();
  if (trusted.length === 0) {
    api.use(() => {
      throw httpError(
        'UNAVAILABLE',
        'the Outlook add-in sign-in is not configured: set AAD_TENANT_ID and AAD_CLIENT_ID (the development sign-in works only on a server that listens on, and is reached at, loopback)',
      );
    });
  } else {
    api.use(addinAuth(createTokenVerifier(trusted), deps.people));
  }
  if (deps.approvals) api.route('/alerts', addinApprovalRoutes(deps.approvals));
  if (deps.summary) api.route('/summary', addinSummaryRoutes(deps.summary));
  api
    .openapi(me, (c) => c.json({ user: c.get('addinUser') }, 200))
    .openapi(context, async (c) => c.json(await deps.context(c.req.valid('query').email), 200))
    .openapi(logTouch, async (c) => {
      const body = c.req.valid('json');
      const user = c.get('addinUser');
      const parsed = touchInputSchema.safeParse({
        contact: { email: body.contactEmail },
        channel: body.channel,
        summary: body.summary,
        outcome: body.outcome,
        occurredAt: body.occurredAt,
        answers: body.answers && Object.keys(body.answers).length ? body.answers : undefined,
        // The acting user comes from the verified token, never from the request body.
        loggedBy: user.email,
        source: 'outlook',
        idempotencyKey: body.messageId
          ? `outlook-${createHash('sha256').update(`${user.email}\n${body.contactEmail.toLowerCase()}\n${body.messageId}`).digest('hex').slice(0, 40)}`
          : undefined,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map(String).join('.') || '(body)';
        throw httpError('VALIDATION', `${field}: ${issue.message}`, field);
      }
      const { touch, created } = await deps.intake.submit(parsed.data);
      return c.json({ ...touchView(touch), statusUrl: `/api/addin/touches/${touch.id}`, duplicate: !created }, 202);
    })
    .openapi(completeFollowUp, async (c) => {
      const { id } = c.req.valid('param');
      // The acting user comes from the verified token: their own tasks, and the ones Rapport created.
      const by = c.get('addinUser').email;
      await deps.context.completeFollowUp(id, { email: by, source: 'outlook' });
      c.get('log')?.info({ followUp: id, by }, 'follow-up marked done');
      return c.json({ id, status: 'completed' as const }, 200);
    })
    .openapi(showTouch, async (c) => {
      const touch = await deps.touches.get(c.req.valid('param').id);
      if (!touch) throw httpError('NOT_FOUND', 'no touch with this id', 'id');
      return c.json({ ...touchView(touch), statusUrl: `/api/addin/touches/${touch.id}` }, 200);
    });

  const routes = apiApp()
    .openapi(config, (c) => {
      c.header('cache-control', 'no-store');
      return c.json(clientConfig, 200);
    })
    .openapi(devToken, async (c) => {
      if (!dev) throw httpError('NOT_FOUND', 'the development sign-in is off (ADDIN_DEV_AUTH)');
      // Defence in depth: a proxy on this machine could forward others here; they name another host.
      const host = new URL(c.req.url).hostname;
      if (!isLoopbackHost(host)) {
        throw httpError('NOT_FOUND', 'the development sign-in answers only requests to a loopback address');
      }
      return c.json({ token: await dev.mint(), user: dev.user, development: true as const }, 200);
    })
    .route('/api/addin', api as unknown as OpenAPIHono<AppEnv>)
    .openapi(taskPane, (c) => c.redirect('/addin/taskpane.html'));
  // The pane's static files: not API routes, so not in the OpenAPI document.
  routes.get('/addin/*', async (c) => {
    const relative = decodeURIComponent(c.req.path.slice('/addin/'.length)) || 'taskpane.html';
    const file = resolve(distDir, relative);
    if (!file.startsWith(distDir + sep)) throw httpError('NOT_FOUND', 'no such file');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      const built = await stat(resolve(distDir, 'taskpane.html')).catch(() => null);
      if (!built) {
        return c.text('The Outlook add-in is not built yet: run `npm run build:addin` and reload.', 503);
      }
      throw httpError('NOT_FOUND', `no add-in file ${relative}`);
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    c.header('content-type', type);
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300');
    return c.body(new Uint8Array(await readFile(file)));
  });
  return routes;
}
