import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsListener } from '../../../main/metrics-listener.js';
import { createMetricsRegistry } from '../../../main/metrics.js';

/** npm run worker's own /metrics (METRICS_PORT), behind METRICS_TOKEN like the API's. */
const TOKEN = 'worker-metrics-token-0123456789';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function listener() {
  const telemetry = createMetricsRegistry();
  telemetry.metrics.delivery('sms', 'sent');
  const started = await startMetricsListener({ token: TOKEN, render: telemetry.render }, '127.0.0.1', 0);
  close = started.close;
  return `http://127.0.0.1:${started.port}`;
}

describe("the worker's metrics listener", () => {
  it("serves the worker's series with the token", async () => {
    const base = await listener();
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^rapport_deliveries_total\{channel="sms",outcome="sent"\} 1$/m);
  });

  it('answers 401 without it or with another, and 404 for anything but GET /metrics', async () => {
    const base = await listener();
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('rapport_');
    expect((await fetch(`${base}/api/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('names METRICS_PORT when the port is taken', async () => {
    const base = await listener();
    const port = Number(new URL(base).port);
    const telemetry = createMetricsRegistry();
    await expect(startMetricsListener({ token: TOKEN, render: telemetry.render }, '127.0.0.1', port)).rejects.toThrow(
      /METRICS_PORT/,
    );
  });
});
