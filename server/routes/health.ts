import { createRoute } from '@hono/zod-openapi';
import { healthSchema, readinessSchema, statusReportSchema, type StatusReport } from '../../contracts/index.js';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const tags = ['health'];

const live = createRoute({
  method: 'get',
  path: '/healthz',
  tags,
  summary: 'The process answers',
  description: 'For liveness probes: depends on nothing outside the process, so an outage restarts nothing.',
  responses: { 200: json('Alive.', healthSchema), ...errors() },
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'The process can serve: the store and Temporal answer',
  description:
    'For readiness probes and load balancers. The CRM and the channels are not checked: their outages are ' +
    'reported by GET /api/status and never take a replica out of service (touches and alerts are stored and retried).',
  responses: {
    200: json('Ready.', readinessSchema),
    503: json('Not ready: the checks say which dependency does not answer.', readinessSchema),
    500: errors()[500],
  },
});

/** /healthz: the process answers. /readyz: the store and Temporal answer too (the checks given). */
export function healthRoutes(checks: ReadinessChecks) {
  return apiApp()
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), 3000);
            return [name, { ok: true }] as const;
          } catch (error) {
            return [name, { ok: false, error: (error as Error).message.split('\n')[0] }] as const;
          }
        }),
      );
      const ready = results.every(([, r]) => r.ok);
      const body = { status: ready ? ('ready' as const) : ('not ready' as const), checks: Object.fromEntries(results) };
      return ready ? c.json(body, 200) : c.json(body, 503);
    });
}

const status = createRoute({
  method: 'get',
  path: '/status',
  tags,
  security: SECURITY.apiToken,
  summary: 'The CRM and every channel: configured, reachable, paused by the provider',
  description:
    'Always 200 while the process answers; `status` is `degraded` when anything below is not as it should be. ' +
    "Checks run at most every 10 s (they spend the providers' rate limits) and take up to 3 s each. Also lists " +
    'the singleton jobs and which process runs each.',
  responses: { 200: json('The status report.', statusReportSchema), ...errors(401, 403) },
});

/** GET /api/status (behind the API token: it names hosts and processes). */
export function statusRoutes(reporter: { report(): Promise<StatusReport> }) {
  return apiApp().openapi(status, async (c) => c.json(await reporter.report(), 200));
}
