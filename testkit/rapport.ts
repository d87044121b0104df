import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { inject } from 'vitest';
import { loadEnv } from '../config/env.js';
import { startHubSpotSandbox, type RealismSpec } from '../sandbox/hubspot/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../sandbox/smtp/index.js';
import { createLogger } from '../main/logger.js';
import { startRapport, type RapportRuntime, type RuntimeOverrides } from '../main/runtime.js';
import type { Db } from '../store/db.js';
import { sweepScheduleId } from '../workflows/maintenance/shared.js';
import { testDb } from './db.js';
import type { OidcIssuer } from './oidc-issuer.js';
import { startPeopleTokens } from './people.js';
import { dashboardSignInEnv, reserveLoopbackUrl } from './dashboard-sign-in.js';
import { SEND_AT_ONCE_ENV } from './send-at-once.js';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { DashboardAuth, DashboardEnv } from '../server/dashboard/auth-seam.js';

export const TEST_API_TOKEN = 'test-token-0123456789abcdefghij';
export const SANDBOX_TEST_TOKEN = 'sandbox-test-token';
/** Known to tests, so they can sign (and forge) links the way Rapport does. */
export const TEST_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuv';

export type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

export interface TestRapport {
  rapport: RapportRuntime;
  sandbox: Sandbox;
  /** Every email Rapport sends in this test file (SMTP_URL points here). */
  smtp: SmtpCatcher;
  db: Db;
  /** This test file's own task queue. */
  taskQueue: string;
  /**
   * app.request() as whoever the body names: a JSON body naming a person (`requester`, `approver`,
   * `by`, `loggedBy`: an email) is sent with that person's sign-in token from the local OpenID
   * Connect issuer, as a person's client would; anything else with the test's service token
   * (every scope). An explicit authorization header wins.
   */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** The local OpenID Connect issuer Rapport trusts for people; absent when the test configured its own. */
  issuer?: OidcIssuer;
  /** `Bearer <token>` for a person, from the issuer's token endpoint (cached per person). */
  as(email: string): Promise<string>;
  /** With `dashboard: true`: where Rapport listens (PUBLIC_URL), its dashboard sign-in on. */
  url?: string;
  stop(): Promise<void>;
}

/**
 * The whole of Rapport as `npm start` composes it, on the shared test Temporal, a fresh
 * sandbox CRM and a fresh store, with its own task queue so test files never share work.
 */
export async function startTestRapport(
  options: {
    env?: Record<string, string>;
    rateLimit?: number;
    /** A Temporal of the test's own (the restart chaos test); default: the run's shared dev server. */
    temporalAddress?: string;
    /** How long GET /api/status reuses its checks (default 10 s; 0: a fresh look every time). */
    statusCacheMs?: number;
    /** Every log line Rapport writes, at every level, is pushed here (LOG_LEVEL becomes trace). */
    logLines?: string[];
    /** The sandbox portal's realism switches from the start (before Rapport checks its custom properties). */
    sandboxRealism?: RealismSpec;
    /** Trace into this exporter (an InMemorySpanExporter), as OTEL_EXPORTER_OTLP_ENDPOINT would to a collector. */
    spanExporter?: SpanExporter;
    /**
     * Serve Rapport over HTTP on loopback (`url`, also PUBLIC_URL) with the dashboard's sign-in at
     * the local OpenID Connect provider (testkit/dashboard-sign-in.ts signs browsers in).
     */
    dashboard?: boolean;
    /** With `dashboard`: a test's own pages behind the dashboard's sign-in, served before Rapport's routes. */
    dashboardPages?: (auth: DashboardAuth) => Hono<DashboardEnv>;
    /** Mounts /dashboard behind this sign-in (e.g. testkit/dashboard-test-auth.ts). */
    dashboardAuth?: DashboardAuth;
    /** The clock announced slots are computed on (a compressed day: the dev server cannot skip time). */
    slotClock?: RuntimeOverrides['slotClock'];
  } = {},
) {
  const sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: SANDBOX_TEST_TOKEN,
    rateLimit: { perTenSeconds: options.rateLimit ?? 100 },
    ...(options.sandboxRealism ? { realism: options.sandboxRealism } : {}),
  });
  // People sign in at a local OpenID Connect issuer, unless the test brings its own identity provider.
  const ownIdentity = ['OIDC_ISSUER', 'AAD_TENANT_ID'].some((k) => options.env?.[k] !== undefined);
  const people = ownIdentity ? undefined : await startPeopleTokens();
  const issuer = people?.issuer;
  const publicUrl = options.dashboard ? await reserveLoopbackUrl() : undefined;
  const dashboardEnv = issuer && publicUrl ? await dashboardSignInEnv(issuer, publicUrl) : {};
  const db = await testDb();
  const smtp = await startSmtpCatcher();
  const env = loadEnv({
    SMTP_URL: smtp.smtpUrl,
    RAPPORT_SECRET: TEST_SECRET,
    LOG_LEVEL: options.logLines ? 'trace' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    API_TOKENS: TEST_API_TOKEN,
    TEMPORAL_TASK_QUEUE: `test-${Math.random().toString(36).slice(2, 10)}`,
    HUBSPOT_RATE_LIMIT: String(options.rateLimit ?? 100),
    CRM_RETRY_MAX_INTERVAL_SECONDS: '3',
    // The sandbox's index trails writes by 250 ms by default: an uncertain create is looked for after 1 s.
    HUBSPOT_SEARCH_LAG_SECONDS: '1',
    // Every request of a test shares one client (no socket): tests about rate limits turn them on.
    LINK_RATE_LIMIT_PER_MINUTE: '0',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '0',
    // An alert must name a catalogue topic: the demo catalogue holds the ones tests name (rates, products, ...).
    TOPICS_SEED: 'demo',
    // Tests find what Rapport wrote on the timeline by its idempotency key, a custom property HubSpot's
    // engagements v1 read never shows; test/integration/crm/activity-v1.test.ts covers the v1 read.
    HUBSPOT_ACTIVITY_READ: 'v3',
    ...SEND_AT_ONCE_ENV,
    ...(issuer && options.env?.ADDIN_DEV_AUTH === 'true'
      ? // The pane's development sign-in: people still sign in to the API at the issuer, the pane does not.
        { OIDC_ISSUER: issuer.env.OIDC_ISSUER!, AAD_AUDIENCE: issuer.env.AAD_CLIENT_ID! }
      : issuer?.env),
    ...dashboardEnv,
    ...options.env,
  });
  // Every answer is held to its route's contract; a mismatch fails the request that made it, or the file at stop().
  const violations: string[] = [];
  const checkContract = () => {
    if (violations.length) throw new Error(`API contract broken:\n${violations.splice(0).join('\n')}`);
  };
  const logger = options.logLines
    ? createLogger('trace', 'rapport', { write: (line: string) => void options.logLines!.push(line) })
    : createLogger(env.LOG_LEVEL);
  const rapport = await startRapport(env, logger, {
    temporalAddress: options.temporalAddress ?? inject('temporalAddress'),
    db,
    hubspotBasePath: sandbox.url,
    hubspotToken: SANDBOX_TEST_TOKEN,
    listen: false,
    ...(options.statusCacheMs !== undefined ? { statusCacheMs: options.statusCacheMs } : {}),
    ...(options.slotClock ? { slotClock: options.slotClock } : {}),
    onContractViolation: (violation) => violations.push(violation),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.dashboardAuth ? { dashboardAuth: options.dashboardAuth } : {}),
  });
  let handler: (request: Request) => Response | Promise<Response> = rapport.app.fetch;
  if (options.dashboardPages && rapport.dashboardSignIn) {
    const own = new Hono();
    own.route('/', options.dashboardPages(rapport.dashboardSignIn.auth));
    own.all('*', (c) => rapport.app.fetch(c.req.raw));
    handler = own.fetch;
  }
  const server: ServerType | undefined = publicUrl
    ? await new Promise<ServerType>((done) => {
        const s = serve({ fetch: handler, hostname: '127.0.0.1', port: Number(new URL(publicUrl).port) }, () =>
          done(s),
        );
      })
    : undefined;
  const as = (email: string) => {
    if (!people) throw new Error('this test configured its own identity provider: send its tokens');
    return people.as(email);
  };
  return {
    rapport,
    sandbox,
    issuer,
    as,
    ...(publicUrl ? { url: publicUrl } : {}),
    smtp,
    db,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    api: async (path, init = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) {
        headers.set(
          'authorization',
          people ? await people.authorization(json, TEST_API_TOKEN) : `Bearer ${TEST_API_TOKEN}`,
        );
      }
      if (json !== undefined) headers.set('content-type', 'application/json');
      const res = await rapport.app.request(path, {
        ...rest,
        headers,
        body: json === undefined ? rest.body : JSON.stringify(json),
      });
      checkContract();
      return res;
    },
    stop: async () => {
      if (server) {
        if ('closeAllConnections' in server) server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
      }
      // The sweep schedule outlives a process on purpose (it is the deployment's); a test's is its own.
      await rapport.temporal.schedule
        .getHandle(sweepScheduleId(env.TEMPORAL_TASK_QUEUE))
        .delete()
        .catch(() => undefined);
      await rapport.stop();
      await sandbox.close();
      await smtp.close();
      await db.close();
      await issuer?.close();
      checkContract();
    },
  } satisfies TestRapport;
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
