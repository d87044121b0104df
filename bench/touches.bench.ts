/**
 * bench:touches — 2,000 touches through the HTTP API, the sandbox enforcing HubSpot's
 * per-10-second budget. Reports p50/p95 from POST to engagement and touches/s against two
 * ceilings: the budget spent one engagement per request (what HubSpot's single-record
 * endpoints allow: the bench's target), and the budget spent on full batches of 100 (what no
 * writer can beat; here Temporal, not HubSpot, is then the limit).
 *
 *   npm run bench:touches            (BENCH_TOUCHES=2000 BENCH_BUDGET=100 by default)
 *   BENCH_REALISM='{"searchLagMs":5000,"partialBatchCreateRate":0.05}' npm run bench:touches
 *     (the sandbox's realism switches for the measure; results as touches-realistic.json/.md)
 */
import { loadEnv } from '../config/env.js';
import { startHubSpotSandbox, type RealismSpec } from '../sandbox/hubspot/index.js';
import { createLogger } from '../main/logger.js';
import { startRapport } from '../main/runtime.js';
import { openDb } from '../store/db.js';
import { startDevServer } from '../workflows/temporal/dev-server.js';
import { freePort } from '../workflows/temporal/free-port.js';
import { percentile, report } from './report.js';
import { TOUCH_CHANNELS } from '../domain/vocabulary/index.js';

const TOUCHES = Number(process.env.BENCH_TOUCHES ?? 2000);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 100); // requests per 10 s (HubSpot Free/Starter)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const BATCH = 100; // HubSpot's batch size
const TOKEN = 'bench-token-0123456789abcdefghijkl';
const CHANNELS = TOUCH_CHANNELS;
/** Sandbox realism switches for the measure (sandbox/hubspot/realism.ts), e.g. search lag and 207s. */
const REALISM = process.env.BENCH_REALISM ? (JSON.parse(process.env.BENCH_REALISM) as RealismSpec) : undefined;

const temporal = await startDevServer({ ui: false });
const sandbox = await startHubSpotSandbox({
  port: 0,
  seed: true,
  accessToken: 'bench',
  rateLimit: { perTenSeconds: BUDGET },
});
const db = await openDb({
  databaseUrl: process.env.DATABASE_URL,
  schema: process.env.DATABASE_URL ? `bench_${Date.now()}` : undefined,
});
const port = await freePort();
const env = loadEnv({
  LOG_LEVEL: 'silent',
  API_TOKENS: TOKEN,
  PORT: String(port),
  HUBSPOT_RATE_LIMIT: String(BUDGET),
  CRM_RETRY_MAX_INTERVAL_SECONDS: '5',
  // The embedded mail catcher on any free port: the bench sends no mail.
  SMTP_CATCHER_PORT: '0',
  SMTP_OUTBOX_PORT: '0',
});
const rapport = await startRapport(env, createLogger('silent'), {
  temporalAddress: temporal.address,
  db,
  hubspotBasePath: sandbox.url,
  hubspotToken: 'bench',
});

// Contacts with deliverable addresses from the seeded book of business.
const emails = (await rapport.crm.searchContacts({ query: 'example', limit: 200 }))
  .map((c) => c.email)
  .filter((e): e is string => !!e && /^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(e));
if (emails.length === 0) throw new Error('the sandbox returned no contacts');

// Budget used by set-up (schema checks, the contact search) is not the touches' to spend.
await new Promise((r) => setTimeout(r, 10_500));
if (REALISM) sandbox.realism.set(REALISM);
const statsBefore = sandbox.stats();
const run = Date.now().toString(36);
const started = performance.now();
let next = 0;
const ids: string[] = [];
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOUCHES) {
      const n = next++;
      const res = await fetch(`${rapport.url}/api/touches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          contact: { email: emails[n % emails.length] },
          channel: CHANNELS[n % CHANNELS.length],
          summary: `Benchmark touch ${n}: talked about the quarterly review`,
          loggedBy: 'bench@rapport.example',
          idempotencyKey: `bench-${run}-${n}`,
        }),
      });
      if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
  }),
);
const posted = performance.now();

for (;;) {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from touches where status <> 'pending'`);
  if ((rows[0]?.n ?? 0) >= TOUCHES) break;
  await new Promise((r) => setTimeout(r, 100));
}
const finished = performance.now();

const { rows } = await db.query<{ ms: number; status: string }>(
  `select extract(epoch from (synced_at - created_at)) * 1000 as ms, status from touches`,
);
const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
const failed = rows.filter((r) => r.status !== 'synced').length;
const stats = sandbox.stats();
const crmRequests = stats.requests - statsBefore.requests;
const seconds = (finished - started) / 1000;
const routes = Object.entries(stats.byRoute)
  .map(([route, n]) => [route, n - (statsBefore.byRoute[route] ?? 0)] as const)
  .filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1]);
const byRoute = routes.map(([route, n]) => `${route} ${n}`).join('; ');
const throughput = TOUCHES / seconds;
const ceiling = BUDGET / 10; // one engagement per request
const batchCeiling = (BUDGET / 10) * BATCH; // every request a full batch
const ratio = throughput / ceiling;

await rapport.stop();
await sandbox.close();
await db.close();
await temporal.stop();

report({
  bench: REALISM ? 'touches-realistic' : 'touches',
  metric: 'ratio_vs_budget_ceiling',
  value: Number(ratio.toFixed(3)),
  target: 0.8,
  pass: ratio >= 0.8 && failed === 0,
  details: {
    touches: TOUCHES,
    budget_per_10s: BUDGET,
    ceiling_one_per_request_touches_per_s: ceiling,
    ceiling_full_batches_touches_per_s: batchCeiling,
    touches_per_s: Number(throughput.toFixed(1)),
    ratio_vs_full_batch_ceiling: Number((throughput / batchCeiling).toFixed(3)),
    post_phase_s: Number(((posted - started) / 1000).toFixed(2)),
    total_s: Number(seconds.toFixed(2)),
    p50_ms: Math.round(percentile(latencies, 50)),
    p95_ms: Math.round(percentile(latencies, 95)),
    failed,
    crm_requests: crmRequests,
    crm_requests_per_touch: Number((crmRequests / TOUCHES).toFixed(3)),
    crm_429s: stats.rateLimited - statsBefore.rateLimited,
    crm_requests_by_route: byRoute,
    store: db.kind,
    sandbox_realism: JSON.stringify(sandbox.realism.current()),
    crm_207s: (stats.byStatus['207'] ?? 0) - (statsBefore.byStatus['207'] ?? 0),
  },
});
process.exit(0);
