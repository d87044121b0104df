import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../lib/metrics.js';

/**
 * Every series Rapport exposes at /metrics (besides prom-client's default process series, which
 * carry the same prefix). ops/grafana/rapport.json queries only these; a unit test holds it to them.
 */
export const SERIES = {
  deliveries: 'rapport_deliveries_total',
  crmRequests: 'rapport_crm_requests_total',
  crmBudgetUsed: 'rapport_crm_budget_used_ratio',
  queueDepth: 'rapport_queue_depth',
  approvalLatency: 'rapport_approval_latency_seconds',
  slackAck: 'rapport_slack_ack_seconds',
  httpRequests: 'rapport_http_requests_total',
  httpDuration: 'rapport_http_request_duration_seconds',
} as const;

export const METRICS_PREFIX = 'rapport_';

/** Read when Prometheus scrapes: nothing is polled between scrapes. */
export interface GaugeSources {
  /** Share (0-1) of the CRM's rolling window this process's calls took (the budget in main/steps/crm.ts). */
  crmBudgetUsed?: () => number;
  /** Rows waiting in the store, by queue: deliveries not yet sent, touches not yet in the CRM. */
  queueDepths?: () => Promise<Record<string, number>>;
}

export interface MetricsRegistry {
  metrics: Metrics;
  /** Gauges read at scrape time; a source that fails leaves its gauge out of that scrape, never the rest. */
  watch(sources: GaugeSources): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * One registry per process (not prom-client's global one: tests start several Rapports in one
 * process). Buckets: approvals take minutes to hours; Slack must be answered within 3 s.
 */
export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const registers = [registry];
  const deliveries = new Counter({
    name: SERIES.deliveries,
    help: 'Deliveries by the channel they went out on and the outcome the ledger recorded.',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const crmRequests = new Counter({
    name: SERIES.crmRequests,
    help: 'HTTP requests to the CRM (retries each count) by kind, traffic class and status (ok, an HTTP code, timeout, network).',
    labelNames: ['kind', 'traffic', 'status'],
    registers,
  });
  const approvalLatency = new Histogram({
    name: SERIES.approvalLatency,
    help: "Seconds from an alert version's approval request to its decision.",
    labelNames: ['decision'],
    buckets: [30, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800],
    registers,
  });
  const slackAck = new Histogram({
    name: SERIES.slackAck,
    help: 'Seconds from a Slack request arriving to our answer (Slack gives up after 3 s).',
    labelNames: ['type', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5],
    registers,
  });
  const httpRequests = new Counter({
    name: SERIES.httpRequests,
    help: 'HTTP requests served, by method, route template (never the raw path) and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const httpDuration = new Histogram({
    name: SERIES.httpDuration,
    help: 'Seconds to answer an HTTP request, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const sources: GaugeSources[] = [];
  new Gauge({
    name: SERIES.crmBudgetUsed,
    help: "Share (0-1) of the CRM's rolling 10-second budget this process's calls took.",
    registers,
    collect() {
      const used = sources.map((s) => s.crmBudgetUsed?.()).find((v) => v !== undefined);
      if (used !== undefined) this.set(used);
    },
  });
  new Gauge({
    name: SERIES.queueDepth,
    help: 'Rows waiting in the store, by queue (deliveries: not yet sent; touches: not yet in the CRM).',
    labelNames: ['queue'],
    registers,
    async collect() {
      for (const source of sources) {
        const depths = await source.queueDepths?.().catch(() => undefined);
        for (const [queue, n] of Object.entries(depths ?? {})) this.set({ queue }, n);
      }
    },
  });

  return {
    metrics: {
      delivery: (channel, outcome) => deliveries.inc({ channel, outcome }),
      crmRequest: (kind, traffic, status) => crmRequests.inc({ kind, traffic, status }),
      approvalDecision: (decision, seconds) => approvalLatency.observe({ decision }, Math.max(0, seconds)),
      slackAck: (type, status, seconds) => slackAck.observe({ type, status: String(status) }, seconds),
      httpRequest: (method, route, status, seconds) => {
        httpRequests.inc({ method, route, status: String(status) });
        httpDuration.observe({ method, route }, seconds);
      },
    },
    watch: (s) => sources.push(s),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
