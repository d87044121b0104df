import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../contracts/health.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/driver.js';

/**
 * A HubSpot outage must not take Rapport out of service: touches and alerts are stored and their
 * workflows retry until the CRM answers, so /readyz stays 200 and GET /api/status says what is wrong.
 */
let t: TestRapport;
let slack: SlackStandIn;

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN });
  t = await startTestRapport({
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl },
    statusCacheMs: 0,
  });
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

const status = async () => {
  const res = await t.api('/api/status');
  expect(res.status).toBe(200);
  return (await res.json()) as StatusReport;
};

describe('health with the CRM down', () => {
  it('everything answering: ready, and the status names each part and where it goes', async () => {
    expect((await t.rapport.app.request('/readyz')).status).toBe(200);
    const report = await status();
    expect(report).toMatchObject({
      status: 'ok',
      ready: true,
      store: { ok: true },
      temporal: { ok: true },
      crm: { state: 'ok', configured: true, reachable: true, paused: false },
      channels: {
        email: { state: 'ok', configured: true },
        slack: { state: 'ok', configured: true, reachable: true },
        // npm start texts the embedded stand-in until SMS is configured.
        sms: { state: 'ok', configured: false, target: 'embedded SMS stand-in' },
      },
    });
    expect(report.crm.target).toBe(new URL(t.sandbox.url).host);
  });

  it('HubSpot refusing connections: /readyz stays 200, the status shows the CRM unreachable', async () => {
    t.sandbox.faults.set({ refuse: true, durationMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const ready = await t.rapport.app.request('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { store: { ok: true }, temporal: { ok: true } } });
      expect((await t.rapport.app.request('/healthz')).status).toBe(200);

      const report = await status();
      expect(report).toMatchObject({
        status: 'degraded',
        ready: true,
        crm: { state: 'unreachable', reachable: false },
      });
      expect(report.crm.problem).toBeTruthy();
      expect(report.channels.email.state).toBe('ok');

      // Work still comes in: a touch is accepted (unverified) and waits for the CRM.
      const res = await t.api('/api/touches', {
        method: 'POST',
        json: {
          contact: { email: 'joe.smith@acme-logistics.example' },
          channel: 'call',
          summary: 'During the outage',
          loggedBy: 'ana@rapport.example',
        },
      });
      expect(res.status).toBe(202);
    } finally {
      t.sandbox.faults.clear();
    }
    await expect.poll(async () => (await status()).crm.state).toBe('ok');
  });

  it('Slack rate limiting us shows as paused, until when it said', async () => {
    slack.fail({ method: 'auth.test', status: 429, retryAfterSeconds: 30, times: 1 });
    const report = await status();
    expect(report.channels.slack).toMatchObject({ state: 'paused', paused: true, reachable: true });
    expect(Date.parse(report.channels.slack.pausedUntil!)).toBeGreaterThan(Date.now() + 20_000);
    expect(report.status).toBe('degraded');
    expect((await t.rapport.app.request('/readyz')).status).toBe(200);
  });
});
