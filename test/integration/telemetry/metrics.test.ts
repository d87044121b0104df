import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';
import { dashboardSeries } from '../../../testkit/grafana.js';
import { parseExposition, sumOf } from '../../../testkit/prometheus.js';
import { freePort } from '../../../workflows/temporal/free-port.js';
import {
  ALERT_REQUESTER_ATTRIBUTE,
  ALERT_STATUS_ATTRIBUTE,
  ALERT_TOPIC_ATTRIBUTE,
} from '../../../workflows/search-attributes.js';
import { approve, BROADCAST_ENV, getAlert, REQUESTER, submit, waitForStatus } from '../broadcast/support.js';

/**
 * An operator's view of a run: touches logged and a small alert dispatched against the stand-ins,
 * then /metrics read and compared with what the ledger, the touch store and the sandbox CRM say
 * happened. Temporal's own SDK metrics answer on TEMPORAL_METRICS_BIND.
 */
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const TEMPORAL_UI = 'http://temporal-ui.test:8233';
let t: TestRapport;
let temporalMetrics: string;
let alertId: string;

beforeAll(async () => {
  temporalMetrics = `127.0.0.1:${await freePort()}`;
  t = await startTestRapport({
    env: { ...BROADCAST_ENV, METRICS_TOKEN, TEMPORAL_METRICS_BIND: temporalMetrics, TEMPORAL_UI_URL: TEMPORAL_UI },
  });
});
afterAll(async () => {
  await t?.stop();
});

const scrape = async () => {
  const res = await t.rapport.app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await res.text());
};

describe('GET /metrics', () => {
  it('needs its own bearer token: none, a wrong one and an API token are 401', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Bearer ${TEST_API_TOKEN}`]) {
      const res = await t.rapport.app.request('/metrics', authorization ? { headers: { authorization } } : {});
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('rapport_');
    }
  });

  it('counts what a run did: touches, deliveries, CRM requests and 429s, the decision, HTTP routes', async () => {
    // One 429 from the CRM, retried in place by the budget: it must show as a 429 and as the retry.
    t.sandbox.faults.set({ status: 429, retryAfterSeconds: 1, times: 1 });
    const touchIds: string[] = [];
    for (const summary of ['Renewal call', 'Pricing follow-up']) {
      const res = await t.api('/api/touches', {
        method: 'POST',
        json: { contact: { email: DEMO.joe.email }, channel: 'call', summary, loggedBy: 'ana@rapport.example' },
      });
      expect(res.status).toBe(202);
      touchIds.push(((await res.json()) as { id: string }).id);
    }
    await eventually(async () => {
      const { rows } = await t.db.query<{ n: number }>(
        `select count(*)::int as n from touches where id = any($1::text[]) and status = 'synced'`,
        [touchIds],
      );
      return rows[0]!.n === touchIds.length ? true : undefined;
    });

    alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);

    const m = await scrape();
    // Deliveries: exactly the ledger's outcomes, by channel.
    const { rows: ledger } = await t.db.query<{ channel: string; status: string; n: number }>(
      `select sent_channel as channel, status, count(*)::int as n from deliveries
       where status in ('sent', 'failed', 'bounced') group by 1, 2`,
    );
    expect(ledger.length).toBeGreaterThan(0);
    for (const row of ledger)
      expect(sumOf(m, 'rapport_deliveries_total', { channel: row.channel, outcome: row.status })).toBe(row.n);
    expect(sumOf(m, 'rapport_deliveries_total')).toBe(ledger.reduce((s, r) => s + r.n, 0));

    // CRM: every request the sandbox received, and its 429s, counted by Rapport (settled: no work left).
    await eventually(async () => {
      const now = await scrape();
      const stats = t.sandbox.stats();
      return sumOf(now, 'rapport_crm_requests_total') === stats.requests ? true : undefined;
    }, 15_000);
    const settled = await scrape();
    expect(sumOf(settled, 'rapport_crm_requests_total', { status: '429' })).toBe(t.sandbox.stats().rateLimited);
    expect(t.sandbox.stats().rateLimited).toBeGreaterThanOrEqual(1);
    expect(sumOf(settled, 'rapport_crm_budget_used_ratio')).toBeGreaterThan(0);

    // One decision, one observation of request -> decision.
    expect(sumOf(settled, 'rapport_approval_latency_seconds_count', { decision: 'approve' })).toBe(1);

    // HTTP by route template (never the raw path with an id in it) and status.
    expect(
      sumOf(settled, 'rapport_http_requests_total', { route: '/api/touches', method: 'POST', status: '202' }),
    ).toBe(2);
    expect(sumOf(settled, 'rapport_http_requests_total', { route: '/api/alerts/:id' })).toBeGreaterThan(0);
    expect(settled.some((s) => s.labels.route?.includes(alertId))).toBe(false);

    // Queue depths: nothing waits once the touches are synced and the alert sent.
    expect(sumOf(settled, 'rapport_queue_depth', { queue: 'touches' })).toBe(0);
    expect(sumOf(settled, 'rapport_queue_depth', { queue: 'deliveries' })).toBe(0);
    // prom-client's process series, under the same prefix.
    expect(settled.some((s) => s.name === 'rapport_process_cpu_user_seconds_total')).toBe(true);
    // No customer data in any label: no email address anywhere.
    expect(settled.some((s) => Object.values(s.labels).some((v) => v.includes('@')))).toBe(false);
  });

  it('a waiting touch shows in the queue depth until it is in the CRM', async () => {
    await t.db.query(
      `insert into touches (id, request_hash, contact_email, channel, summary, occurred_at, logged_by, status)
       select 'tch_queue_depth_probe', request_hash, contact_email, channel, summary, occurred_at, logged_by, 'pending'
       from touches limit 1`,
    );
    try {
      expect(sumOf(await scrape(), 'rapport_queue_depth', { queue: 'touches' })).toBe(1);
    } finally {
      await t.db.query(`delete from touches where id = 'tch_queue_depth_probe'`);
    }
  });
});

describe('alert workflows in the Temporal UI', () => {
  it('the alert API links each alert to its workflow there (TEMPORAL_UI_URL)', async () => {
    const expected = `${TEMPORAL_UI}/namespaces/default/workflows/${alertId}`;
    const detail = (await (await t.api(`/api/alerts/${alertId}`)).json()) as { temporalUrl?: string };
    expect(detail.temporalUrl).toBe(expected);
    const list = (await (await t.api('/api/alerts')).json()) as { alerts: { id: string; temporalUrl?: string }[] };
    expect(list.alerts.find((a) => a.id === alertId)?.temporalUrl).toBe(expected);
  });

  it('carry the search attributes status, topic and requester; the status moves with the alert', async () => {
    // The store's status read on both sides of the describe: the alert may move on in between.
    const before = (await getAlert(t, alertId)).status;
    const described = await t.rapport.temporal.workflow.getHandle(alertId).describe();
    const status = (await getAlert(t, alertId)).status;
    expect(described.typedSearchAttributes.get(ALERT_TOPIC_ATTRIBUTE)).toBe('rates');
    expect(described.typedSearchAttributes.get(ALERT_REQUESTER_ATTRIBUTE)).toBe(REQUESTER);
    expect([before, status]).toContain(described.typedSearchAttributes.get(ALERT_STATUS_ATTRIBUTE));
    expect(['following_up', 'completed']).toContain(status);
    // What an operator types in the UI's filter finds it.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of t.rapport.temporal.workflow.list({
        query: `RapportTopic = "rates" AND RapportStatus = "${status}" AND RapportRequester = "${REQUESTER}"`,
      }))
        ids.push(w.workflowId);
      return ids.includes(alertId) ? ids : undefined;
    }, 15_000);
    expect(found).toContain(alertId);
  });
});

describe("Temporal's SDK metrics", () => {
  it('answer on TEMPORAL_METRICS_BIND with every Temporal series the Grafana dashboard charts', async () => {
    // After the run above: the worker has polled, run workflow tasks and activities.
    const names = await eventually(async () => {
      const res = await fetch(`http://${temporalMetrics}/metrics`).catch(() => undefined);
      const body = res?.ok ? await res.text() : '';
      return /^temporal_\w+/m.test(body) ? new Set(parseExposition(body).map((s) => s.name)) : undefined;
    }, 30_000);
    const charted = dashboardSeries('temporal_');
    expect(charted.length).toBeGreaterThan(0);
    expect(charted.filter((name) => !names.has(name))).toEqual([]);
  });
});
