/**
 * bench:crm-log — CRM delivery logging of the bench:dispatch broadcast (100,000 memberships
 * on 10 lists, ~65,000 unique contacts) against the HubSpot sandbox enforcing HubSpot's budget
 * (100 requests / 10 s by default). Reports logged records/s against the ceiling (the budget's
 * background share x batch size of 100: 800 records/s at 100 / 10 s with the default reserve;
 * target >= 0.8), the 429s the sandbox answered and its busiest 10 s.
 *
 * The logging phase alone: the audience is resolved by Rapport (API + worker process, generous
 * budget), the ledger is then marked sent as a dispatch would leave it, and the logging
 * activity (logBatchToCrm, first attempt, as the workflow runs it: logParallelBatches = 8
 * batches at once) goes over every batch with a CRM client on HUBSPOT_RATE_LIMIT = the budget,
 * the sandbox enforcing the same. Sending cannot hold it up, so this is the logging ceiling;
 * in a live broadcast logging trails the sends and is bounded by whichever is slower.
 *
 * The CRM client is a worker's: the portal's budget shared through PostgreSQL (hubspotBudget),
 * background traffic, so HUBSPOT_INTERACTIVE_RESERVE of the budget is left to people and the
 * ceiling is the background share. BENCH_INTERACTIVE_RESERVE=0 gives logging the whole budget.
 *
 *   npm run bench:crm-log
 *   BENCH_MEMBERSHIPS=20000 BENCH_BUDGET=100 BENCH_INTERACTIVE_RESERVE=0 npm run bench:crm-log
 *   BENCH_REALISM='{"searchLagMs":5000,"partialBatchCreateRate":0.05}' npm run bench:crm-log
 *     (the sandbox's realism switches for the measure; results as crm-log-realistic.json/.md)
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadEnv } from '../config/env.js';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import { CrmError } from '../crm/port.js';
import { reservedSlots } from '../crm/rate-budget.js';
import { hubspotBudget, hubspotIdempotency } from '../main/steps/crm.js';
import type { RealismSpec } from '../sandbox/hubspot/index.js';
import { createBroadcastServices } from '../services/broadcast-services.js';
import { createBroadcastActivities } from '../workflows/broadcast/activities.js';
import { startBroadcastBench, submitAlert } from './support/broadcast.js';
import { report } from './report.js';

const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 100_000);
const LISTS = Number(process.env.BENCH_LISTS ?? 10);
const OVERLAP = Number(process.env.BENCH_OVERLAP ?? 0.35);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 100); // requests per 10 s (HubSpot Free/Starter)
const RESERVE = Number(process.env.BENCH_INTERACTIVE_RESERVE ?? 0.2); // HUBSPOT_INTERACTIVE_RESERVE's default
const SHARE = BUDGET - reservedSlots(BUDGET, RESERVE); // what background logging may use
const BATCH = 100; // HubSpot's batch size
const TARGET = 0.8;
/** Logging activities in flight, as the workflow runs them (logParallelBatches, services/alert-intake.ts). */
const PARALLEL_BATCHES = Number(process.env.BENCH_PARALLEL_BATCHES ?? 8);

/** Sandbox realism switches for the measure (sandbox/hubspot/realism.ts), e.g. search lag and 207s. */
const REALISM = process.env.BENCH_REALISM ? (JSON.parse(process.env.BENCH_REALISM) as RealismSpec) : undefined;

const log = (line: string) => console.error(`[bench:crm-log] ${line}`);

const bench = await startBroadcastBench({
  memberships: MEMBERSHIPS,
  lists: LISTS,
  overlap: OVERLAP,
  setupBudget: 100_000,
  workerCrmBudget: 1_000,
  prebundle: true,
});
log(`${MEMBERSHIPS} memberships on ${LISTS} lists (${bench.uniqueContacts} contacts); resolving`);
const alert = await submitAlert(bench);
const deliveries = alert.audience?.deliveries ?? 0;
log(`${deliveries} deliveries; logging them on ${SHARE} of ${BUDGET} requests / 10 s`);

await bench.worker.stop();
// The logging phase alone: the API's read model syncs (companies every 30 s) are no part of the measure,
// and their slots are taken from under them below.
await bench.rapport.companyReadModel.stop();
await bench.rapport.contactReadModel.stop();

// The ledger as a dispatch leaves it: every row sent.
await bench.db.query(
  `update deliveries set status = 'sent', sent_channel = channel, sent_at = now(), attempts = 1,
     message_id = '<bench-' || contact_id || '@rapport.example>' where alert_id = $1`,
  [alert.id],
);
const env = loadEnv({
  ...bench.envVars,
  HUBSPOT_RATE_LIMIT: String(BUDGET),
  HUBSPOT_INTERACTIVE_RESERVE: String(RESERVE),
});
// Slots the resolution's calls still hold (on the set-up budget) are no part of the measure: the
// sandbox forgets them too when its budget is set below.
await bench.db.query('delete from rate_slots');
const crm = createHubSpotCrm({
  accessToken: 'bench',
  basePath: bench.sandbox.url,
  budget: hubspotBudget(env, bench.db),
  traffic: 'background',
  // The worker's idempotency ledger, in the same PostgreSQL.
  ...hubspotIdempotency(env, bench.db),
});
const services = createBroadcastServices(env, {
  db: bench.db,
  crm,
  smtpUrl: bench.catcher.smtpUrl,
  secret: env.RAPPORT_SECRET!,
  publicUrl: bench.rapport.url ?? 'http://127.0.0.1',
});
const activities = createBroadcastActivities(services);
const batches = Math.ceil(deliveries / env.ALERT_BATCH_SIZE);

bench.sandbox.setRateLimit(BUDGET);
if (REALISM) bench.sandbox.realism.set(REALISM);
await fetch(`${bench.sandbox.url}/__sandbox/stats/reset`, { method: 'POST' }); // the busiest 10 s of the measure only
const statsBefore = bench.sandbox.stats();
const started = performance.now();
let next = 0;
let activityRetries = 0;
await Promise.all(
  Array.from({ length: PARALLEL_BATCHES }, async () => {
    while (next < batches) {
      const batch = next++;
      // A retryable failure is run again, as Temporal's retry policy for it would (2 s, then more).
      for (let attempt = 1; ; attempt++) {
        try {
          await new MockActivityEnvironment({ attempt }).run(
            activities.logBatchToCrm,
            alert.id,
            batch,
            env.ALERT_BATCH_SIZE,
          );
          break;
        } catch (error) {
          if (!(error instanceof CrmError && error.retryable) || attempt >= 10) throw error;
          activityRetries++;
          await new Promise((r) => setTimeout(r, 2_000));
        }
      }
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;
services.mail.close();
const stats = bench.sandbox.stats();
const { rows } = await bench.db.query<{ logged: number; sent: number }>(
  `select count(crm_logged_at)::int as logged, count(*) filter (where status in ('sent', 'bounced'))::int as sent
   from deliveries where alert_id = $1`,
  [alert.id],
);
const row = rows[0]!;
const windowS = elapsedS;
const rate = row.logged / windowS;
const ceiling = (SHARE / 10) * BATCH;
const ratio = rate / ceiling;
const routes = Object.entries(stats.byRoute)
  .map(([route, n]) => [route, n - (statsBefore.byRoute[route] ?? 0)] as const)
  .filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1]);
const requests = stats.requests - statsBefore.requests;
const rateLimited = stats.rateLimited - statsBefore.rateLimited;
log(`${row.logged} logged in ${windowS.toFixed(1)} s; ${rateLimited} x 429`);

await bench.close();

report({
  bench: REALISM ? 'crm-log-realistic' : 'crm-log',
  metric: 'ratio_vs_budget_ceiling',
  value: Number(ratio.toFixed(3)),
  target: TARGET,
  pass: ratio >= TARGET && row.logged === row.sent && row.sent === deliveries,
  details: {
    memberships: MEMBERSHIPS,
    deliveries,
    budget_per_10s: BUDGET,
    interactive_reserve: RESERVE,
    background_share_per_10s: SHARE,
    budget: 'shared through PostgreSQL',
    crm_peak_per_10s: stats.peakPerTenSeconds,
    batch_size: BATCH,
    ceiling_records_per_s: ceiling,
    records_logged: row.logged,
    records_sent: row.sent,
    logging_window_s: Number(windowS.toFixed(2)),
    parallel_batches: PARALLEL_BATCHES,
    records_per_s: Number(rate.toFixed(1)),
    ratio: Number(ratio.toFixed(3)),
    crm_429s: rateLimited,
    crm_requests: requests,
    crm_requests_per_record: Number((requests / Math.max(1, row.logged)).toFixed(4)),
    activity_retries: activityRetries,
    crm_207s: (stats.byStatus['207'] ?? 0) - (statsBefore.byStatus['207'] ?? 0),
    sandbox_realism: JSON.stringify(bench.sandbox.realism.current()),
    crm_requests_by_route: routes.map(([route, n]) => `${route} ${n}`).join('; '),
  },
});
process.exit(0);
