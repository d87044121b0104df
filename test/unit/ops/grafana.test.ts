import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, SERIES } from '../../../main/metrics.js';
import { dashboardQueries, dashboardSeries } from '../../../testkit/grafana.js';
import { parseExposition } from '../../../testkit/prometheus.js';

/**
 * ops/grafana/rapport.json must chart what Rapport exposes: a renamed series would leave a panel
 * silently empty. Temporal's own series are checked against a live SDK endpoint in
 * test/integration/telemetry/metrics.test.ts.
 */
async function exposedNames(): Promise<Set<string>> {
  const telemetry = createMetricsRegistry();
  // One of each, so every labelled series has a sample (an untouched labelled counter shows none).
  telemetry.metrics.delivery('email', 'sent');
  telemetry.metrics.crmRequest('standard', 'background', '429');
  telemetry.metrics.approvalDecision('approve', 60);
  telemetry.metrics.slackAck('block_actions', 200, 0.05);
  telemetry.metrics.httpRequest('GET', '/api/alerts/:id', 200, 0.01);
  telemetry.watch({ crmBudgetUsed: () => 0.5, queueDepths: async () => ({ deliveries: 3, touches: 1 }) });
  return new Set(parseExposition((await telemetry.render()).body).map((s) => s.name));
}

describe('the Grafana dashboard', () => {
  it('queries only series Rapport exposes', async () => {
    const exposed = await exposedNames();
    const queried = dashboardSeries('rapport_');
    expect(queried.length).toBeGreaterThan(5);
    expect(queried.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('charts every series Rapport defines', () => {
    const queried = dashboardQueries().join('\n');
    expect(Object.values(SERIES).filter((name) => !queried.includes(name))).toEqual([]);
  });

  it('would catch a panel querying a series nobody exposes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grafana-'));
    const file = join(dir, 'dashboard.json');
    const expr = 'sum(rate(rapport_deliveries_sent_total[5m])) / sum(rate(rapport_deliveries_total[5m]))';
    writeFileSync(file, JSON.stringify({ panels: [{ type: 'row', panels: [{ targets: [{ expr }] }] }] }));
    const exposed = await exposedNames();
    expect(dashboardSeries('rapport_', pathToFileURL(file)).filter((name) => !exposed.has(name))).toEqual([
      'rapport_deliveries_sent_total',
    ]);
  });
});
