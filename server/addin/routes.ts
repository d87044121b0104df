import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Env } from '../../config/env.js';
import { TOUCH_CHANNELS, TOUCH_LIMITS, touchInputSchema } from '../../domain/touch.js';
import type { TouchStore } from '../../store/touches.js';
import type { CustomerContext } from '../../services/customer-context.js';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import { followUpParam } from '../routes/customers.js';
import { touchView } from '../routes/touches.js';
import type { TouchIntake } from '../../services/touch-intake.js';
import { validate } from '../validate.js';
import { addinApprovalRoutes, type AddinApprovalDeps } from './approvals.js';
import {
  ADDIN_SCOPE,
  addinAuth,
  createDevIssuer,
  createTokenVerifier,
  entraIssuer,
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
    | 'ADDIN_DEV_AUTH'
    | 'ADDIN_DEV_USER'
    | 'ADDIN_INTERNAL_DOMAINS'
    | 'NODE_ENV'
  >;
  logger: Logger;
  context: CustomerContext;
  intake: TouchIntake;
  touches: TouchStore;
  /** The broadcast engine's approvals (GET /api/addin/alerts/:id, POST .../decision); absent: not mounted. */
  approvals?: AddinApprovalDeps;
  /** The built task pane (npm run build:addin); default outlook-addin/dist under the working directory. */
  distDir?: string;
}

export const DEFAULT_DEV_USER = 'dev.rep@rapport.example';

/** The add-in's public configuration, served to the task pane at /addin/config.json. */
export interface AddinClientConfig {
  auth: 'entra' | 'dev' | 'none';
  clientId: string | null;
  tenantId: string | null;
  /** Scope the pane asks MSAL for. */
  scopes: string[];
  internalDomains: string[];
  /** Shown in a red banner when auth is 'dev'. */
  devUser: string | null;
}

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

const addinTouchSchema = z
  .object({
    contactEmail: z.email({ message: 'contactEmail must be an email address' }).max(254),
    channel: z.enum(TOUCH_CHANNELS).default('email'),
    summary: z.string().trim().min(1, { message: 'summary must not be empty' }).max(TOUCH_LIMITS.summary),
    outcome: z.string().trim().min(1).max(TOUCH_LIMITS.outcome).optional(),
    occurredAt: z.iso.datetime({ offset: true, message: 'occurredAt must be an ISO 8601 date-time' }).optional(),
    answers: z.record(z.string(), z.string()).optional(),
    /** The email's Internet-Message-ID: logging the same email twice is one touch. */
    messageId: z.string().trim().min(1).max(998).optional(),
  })
  .strict();

const idParam = z.object({ id: z.string().regex(/^tch_[0-9a-z]{26,32}$/, { message: 'not a touch id' }) });
const contextQuery = z.object({ email: z.email({ message: 'email must be an email address' }).max(254) });

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
  if (env.AAD_TENANT_ID && env.AAD_CLIENT_ID) {
    const host = env.ADDIN_ORIGIN ? new URL(env.ADDIN_ORIGIN).host : undefined;
    trusted.push(
      entraIssuer({
        tenantId: env.AAD_TENANT_ID,
        audiences: env.AAD_AUDIENCE ?? [env.AAD_CLIENT_ID, ...(host ? [`api://${host}/${env.AAD_CLIENT_ID}`] : [])],
        jwksUrl: env.AAD_JWKS_URL,
      }),
    );
  }
  const dev =
    env.ADDIN_DEV_AUTH && env.NODE_ENV !== 'production'
      ? await createDevIssuer(env.ADDIN_DEV_USER ?? DEFAULT_DEV_USER)
      : null;
  if (dev) {
    trusted.push(dev.trusted);
    deps.logger.warn(
      { devUser: dev.user },
      '!!! ADDIN_DEV_AUTH is ON: anyone who can reach this server can act in the Outlook add-in as the development user. Never enable it outside your own machine. !!!',
    );
  }

  const host = env.ADDIN_ORIGIN ? new URL(env.ADDIN_ORIGIN).host : null;
  const clientConfig: AddinClientConfig = {
    auth: trusted.some((t) => !t.dev) ? 'entra' : dev ? 'dev' : 'none',
    clientId: env.AAD_CLIENT_ID ?? null,
    tenantId: env.AAD_TENANT_ID ?? null,
    scopes: env.AAD_CLIENT_ID ? [`api://${host ?? 'localhost'}/${env.AAD_CLIENT_ID}/${ADDIN_SCOPE}`] : [],
    internalDomains: env.ADDIN_INTERNAL_DOMAINS ?? [],
    devUser: dev?.user ?? null,
  };
  if (clientConfig.auth === 'entra' && dev) clientConfig.devUser = dev.user;

  const api = new Hono<AddinEnv>();
  if (trusted.length === 0) {
    api.use(() => {
      throw httpError(
        'UNAVAILABLE',
        'the Outlook add-in sign-in is not configured: set AAD_TENANT_ID and AAD_CLIENT_ID (or ADDIN_DEV_AUTH=true on a development machine)',
      );
    });
  } else {
    api.use(addinAuth(createTokenVerifier(trusted)));
  }
  if (deps.approvals) api.route('/alerts', addinApprovalRoutes(deps.approvals));
  api
    .get('/me', (c) => c.json({ user: c.get('addinUser') }))
    .get('/context', validate('query', contextQuery), async (c) =>
      c.json(await deps.context(c.req.valid('query').email)),
    )
    .post(
      '/touches',
      bodyLimit({
        maxSize: 64 * 1024,
        onError: () => {
          throw httpError('VALIDATION', 'request body is larger than 64 KB', '(body)');
        },
      }),
      validate('json', addinTouchSchema),
      async (c) => {
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
      },
    )
    .post('/follow-ups/:id/complete', validate('param', followUpParam), async (c) => {
      const { id } = c.req.valid('param');
      await deps.context.completeFollowUp(id);
      // The acting user comes from the verified token.
      c.get('log')?.info({ followUp: id, by: c.get('addinUser').email }, 'follow-up marked done');
      return c.json({ id, status: 'completed' });
    })
    .get('/touches/:id', validate('param', idParam), async (c) => {
      const touch = await deps.touches.get(c.req.valid('param').id);
      if (!touch) throw httpError('NOT_FOUND', 'no touch with this id', 'id');
      return c.json({ ...touchView(touch), statusUrl: `/api/addin/touches/${touch.id}` });
    });

  const routes = new Hono<AppEnv>()
    .get('/addin/config.json', (c) => {
      c.header('cache-control', 'no-store');
      return c.json(clientConfig);
    })
    .post('/api/addin/dev-token', async (c) => {
      if (!dev) throw httpError('NOT_FOUND', 'the development sign-in is off (ADDIN_DEV_AUTH)');
      return c.json({ token: await dev.mint(), user: dev.user, development: true });
    })
    .route('/api/addin', api as unknown as Hono<AppEnv>)
    .get('/addin', (c) => c.redirect('/addin/taskpane.html'))
    .get('/addin/*', async (c) => {
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
