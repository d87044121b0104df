import { describe, expect, it } from 'vitest';
import { createStatusReporter } from '../../../services/status.js';
import { fullApp } from './openapi/full-app.js';

const token = { authorization: 'Bearer unit-test-token' };
const down = () => Promise.reject(new Error('connect ECONNREFUSED'));

/** The app as Rapport composes it, with the CRM not answering. */
const appWithCrmDown = (readiness: Record<string, () => Promise<unknown>>) =>
  fullApp({
    readiness,
    status: createStatusReporter({
      store: readiness.store ?? (async () => undefined),
      temporal: readiness.temporal ?? (async () => undefined),
      crm: {
        configured: true,
        target: 'api.hubapi.com',
        check: async () => ({ reachable: false, paused: false, problem: 'connect ECONNREFUSED' }),
      },
      channels: {
        email: {
          configured: false,
          target: 'embedded SMTP catcher',
          check: async () => ({ reachable: true, paused: false }),
        },
        slack: { configured: false, target: 'off' },
        sms: { configured: false, target: 'off' },
      },
    }),
  });

describe('health, readiness and status', () => {
  it('/healthz answers 200 whatever is down', async () => {
    const app = await appWithCrmDown({ store: down, temporal: down });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 while the store and Temporal answer, the CRM being down; 503 naming the store when it is not', async () => {
    const ready = await appWithCrmDown({ store: async () => undefined, temporal: async () => undefined });
    const res = await ready.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { store: { ok: true }, temporal: { ok: true } } });

    const notReady = await appWithCrmDown({ store: down, temporal: async () => undefined });
    const res503 = await notReady.request('/readyz');
    expect(res503.status).toBe(503);
    expect(await res503.json()).toEqual({
      status: 'not ready',
      checks: { store: { ok: false, error: 'connect ECONNREFUSED' }, temporal: { ok: true } },
    });
  });

  it('/api/status needs the API token, then reports the CRM down without failing', async () => {
    const app = await appWithCrmDown({ store: async () => undefined, temporal: async () => undefined });
    expect((await app.request('/api/status')).status).toBe(401);
    const res = await app.request('/api/status', { headers: token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      ready: true,
      crm: { state: 'unreachable', reachable: false, problem: 'connect ECONNREFUSED' },
      channels: { email: { state: 'ok' }, slack: { state: 'off' }, sms: { state: 'off' } },
    });
  });
});
