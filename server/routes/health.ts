import { createRoute } from '@hono/zod-openapi';
import { healthSchema, readinessSchema } from '../../contracts/index.js';
import { apiApp } from '../openapi/api-app.js';
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
  responses: { 200: json('Alive.', healthSchema), ...errors() },
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'Temporal, the store and the CRM answer too',
  responses: {
    200: json('Ready.', readinessSchema),
    503: json('Not ready: the checks say which dependency does not answer.', readinessSchema),
    500: errors()[500],
  },
});

/** /healthz: the process answers. /readyz: Temporal, store and CRM answer too. */
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
