import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { SandboxHttpError, type SandboxContext } from './context.js';
import { errorBody, hubspotError, type ErrorCategory } from './errors.js';
import { faultSpecSchema, type Faults, type FaultSpec } from './faults.js';
import type { DailyCounter, PeakWindow, RollingWindow } from './rate-limits.js';
import { associationRoutes } from './routes/associations.js';
import { engagementV1Routes } from './routes/engagements-v1.js';
import { listEditRoutes } from './routes/list-edits.js';
import { listRoutes } from './routes/lists.js';
import { tokenInfoRoutes } from './routes/token-info.js';
import { accessControls, scopeGate } from './access.js';
import { objectRoutes } from './routes/objects.js';
import { ownerRoutes } from './routes/owners.js';
import { propertyRoutes } from './routes/properties.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { bump, BusiestWindow, emptyStats, routeKey } from './stats.js';

export interface SandboxLimits {
  standard: RollingWindow;
  search: RollingWindow;
  daily: DailyCounter;
  /** Every served request, searches too: stats.peakPerTenSeconds. */
  served: PeakWindow;
  /** Budget 429s carry Retry-After (HubSpot's usual answer); false: none, as HubSpot sometimes answers. */
  retryAfter: boolean;
}

export interface SandboxAppOptions {
  ctx: SandboxContext;
  faults: Faults;
  limits: SandboxLimits;
  accessToken?: string;
  reset(): Promise<void>;
}

const SEARCH_PATH = /^\/crm\/v3\/objects\/[^/]+\/search$/;

const FAULT_CATEGORY: Record<number, [ErrorCategory, string]> = {
  423: ['LOCKED', 'The requested resource is locked; try again in a couple of seconds'],
  500: ['INTERNAL_ERROR', 'Internal Server Error'],
  502: ['SERVICE_UNAVAILABLE', 'Bad Gateway'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
  504: ['SERVICE_UNAVAILABLE', 'Gateway Timeout'],
};

function tooManyRequests(c: Context, policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY', retryAfterMs?: number) {
  const messages = {
    TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
    SECONDLY: 'You have reached your secondly limit.',
    DAILY: 'You have reached your daily limit.',
  };
  if (retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return c.json(
    {
      ...errorBody('RATE_LIMITS', messages[policyName]),
      errorType: 'RATE_LIMIT',
      policyName,
      groupName: 'publicapi:private-app:sandbox',
    },
    429,
  );
}

function injectFault(c: Context, fault: FaultSpec) {
  if (fault.status === 429)
    return tooManyRequests(
      c,
      'TEN_SECONDLY_ROLLING',
      fault.omitRetryAfter ? undefined : (fault.retryAfterSeconds ?? 1) * 1000,
    );
  const [category, message] = FAULT_CATEGORY[fault.status!] ?? ['INTERNAL_ERROR', `Injected fault ${fault.status}`];
  return hubspotError(c, fault.status as ContentfulStatusCode, category, message);
}

/** The hono app: HubSpot's API under /crm, test controls under /__sandbox. */
export function createSandboxApp(options: SandboxAppOptions) {
  const { ctx, faults, limits } = options;
  // strict: false — the client library asks for some paths with a trailing slash (/crm/v3/owners/).
  const app = new Hono<{ Bindings: HttpBindings }>({ strict: false });

  const received = new BusiestWindow(10_000);
  let countedFor = ctx.stats;
  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/__sandbox')) return next();
    const stats = ctx.stats;
    stats.requests++;
    // A reset replaces the stats: the window starts over with them.
    if (countedFor !== stats) {
      received.reset();
      countedFor = stats;
    }
    stats.busiestTenSeconds = Math.max(stats.busiestTenSeconds, received.add(ctx.now()));
    bump(stats.byRoute, routeKey(c.req.method, path));
    const arrived = ctx.now();
    const countStatus = () => {
      bump(stats.byStatus, String(c.res.status));
      if (c.res.status === 429) stats.rateLimited++;
      ctx.requestLog?.push({ at: arrived, route: routeKey(c.req.method, path), status: c.res.status });
    };

    const fault = faults.take(path);
    if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault?.refuse) {
      c.env?.incoming?.socket?.destroy();
      return c.body(null, 503);
    }
    if (fault?.status) {
      stats.faultsInjected++;
      if (fault.status === 429) bump(stats.rateLimitedByPolicy, 'INJECTED');
      c.res = injectFault(c, fault);
      countStatus();
      return c.res;
    }

    if (options.accessToken && c.req.header('authorization') !== `Bearer ${options.accessToken}`) {
      c.res = hubspotError(
        c,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
      countStatus();
      return c.res;
    }

    const now = ctx.now();
    const isSearch = c.req.method === 'POST' && SEARCH_PATH.test(path);
    const daily = limits.daily.take(now);
    if (!daily.ok) {
      bump(stats.rateLimitedByPolicy, 'DAILY');
      c.res = tooManyRequests(c, 'DAILY');
      countStatus();
      return c.res;
    }
    const window = (isSearch ? limits.search : limits.standard).take(now);
    if (!window.ok) {
      const policy = isSearch ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING';
      bump(stats.rateLimitedByPolicy, policy);
      c.res = tooManyRequests(c, policy, limits.retryAfter ? window.retryAfterMs : undefined);
      countStatus();
      return c.res;
    }
    limits.served.add(now);
    stats.peakPerTenSeconds = Math.max(stats.peakPerTenSeconds, limits.served.peak);

    await next();
    // Search answers carry no rate headers, as on HubSpot.
    if (!isSearch) {
      c.res.headers.set('X-HubSpot-RateLimit-Max', String(limits.standard.max));
      c.res.headers.set('X-HubSpot-RateLimit-Remaining', String(window.remaining));
      c.res.headers.set('X-HubSpot-RateLimit-Interval-Milliseconds', String(limits.standard.windowMs));
      c.res.headers.set('X-HubSpot-RateLimit-Daily', String(limits.daily.max));
      c.res.headers.set('X-HubSpot-RateLimit-Daily-Remaining', String(daily.remaining));
    }
    countStatus();
  });

  // After authentication and the rate windows: a token without the route's scope gets 403.
  app.use(
    '*',
    scopeGate(() => ctx.access),
  );

  app.get('/__sandbox/health', (c) => c.json({ ok: true }));
  app.get('/__sandbox/stats', (c) => c.json(ctx.stats));
  app.post('/__sandbox/stats/reset', (c) => {
    ctx.stats = emptyStats();
    limits.served.reset();
    return c.json(ctx.stats);
  });
  app.get('/__sandbox/faults', (c) => c.json({ fault: faults.current() ?? null }));
  app.delete('/__sandbox/faults', (c) => {
    faults.clear();
    return c.json({ fault: null });
  });
  app.post('/__sandbox/faults', async (c) => {
    const spec = faultSpecSchema.parse(await c.req.json().catch(() => ({})));
    if (spec.refuse && !spec.durationMs) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        'refuse needs durationMs: a stopped sandbox cannot be told to start again over HTTP',
      );
    }
    if (Object.keys(spec).length === 0) faults.clear();
    // Answer first: refusing closes this very connection.
    else if (spec.refuse) setTimeout(() => faults.set(spec), 20);
    else faults.set(spec);
    return c.json({ fault: spec });
  });
  app.get('/__sandbox/realism', (c) => c.json(ctx.realism.current()));
  app.post('/__sandbox/realism', async (c) => c.json(ctx.realism.set(await c.req.json().catch(() => ({})))));
  app.delete('/__sandbox/realism', (c) => {
    ctx.realism.reset();
    return c.json(ctx.realism.current());
  });
  app.post('/__sandbox/reset', async (c) => {
    await options.reset();
    return c.json({ ok: true });
  });

  app.route('/', objectRoutes(ctx));
  app.route('/', associationRoutes(ctx));
  app.route('/', engagementV1Routes(ctx));
  app.route('/', ownerRoutes(ctx));
  app.route('/', listRoutes(ctx));
  app.route('/', listEditRoutes(ctx));
  app.route('/', tokenInfoRoutes(ctx, options.accessToken));
  app.route('/', accessControls(ctx));
  app.route('/', propertyRoutes(ctx));
  app.route('/', subscriptionRoutes(ctx));

  app.notFound((c) => hubspotError(c, 404, 'OBJECT_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof SandboxHttpError)
      return hubspotError(c, error.status, error.category, error.message, error.extra);
    if (error instanceof ZodError)
      return hubspotError(c, 400, 'VALIDATION_ERROR', error.issues.map((i) => i.message).join('; '));
    console.error('[hubspot-sandbox]', error);
    return hubspotError(c, 500, 'INTERNAL_ERROR', 'Internal Server Error');
  });

  return app;
}
