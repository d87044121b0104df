/**
 * bench:slack — how fast Rapport acknowledges Slack. Slack waits 3 s for the HTTP answer to a
 * slash command, interaction or event (and a trigger_id dies 3 s after Slack issued it), so the
 * figure that matters is the time from sending the request until the HTTP response arrives.
 *
 * Rapport runs alone on the main thread with Slack on over HTTP (signing secret, bot token,
 * SLACK_API_URL pointing at the local Web API stand-in), listening on a real port, on a Temporal
 * dev server and PGlite. What is outside Rapport in production runs on other threads, so its
 * work does not sit on Rapport's event loop: the Slack Web API stand-in and the HubSpot sandbox
 * on one ("world"), the load generator on another ("client", Slack's side of the HTTP calls).
 *
 * After a warm-up, BENCH_SLACK_N (50) correctly signed requests of each kind are sent at once,
 * one kind after another, then every kind at once; the same number of GET /healthz (the bare
 * hono server) is the baseline. Each round then waits for the work done after ack() (modals
 * opened, cards posted, Home published) and counts what failed: non-2xx answers, Web API calls
 * the stand-in refused (expired_trigger_id would mean the ack path is too slow), response_url
 * posts refused, errors Rapport logged, picker searches answered with no options, follow-ups that
 * never came (and in which round). Beside the latencies: the longest stall of Rapport's event
 * loop during each burst, how long the server took to read the whole burst (arrival spread), and
 * the machine's load average, since the figures depend on what else runs on it.
 *
 *   npm run bench:slack     (BENCH_SLACK_N=50 BENCH_SLACK_API_LATENCY_MS=0 BENCH_BUDGET=100)
 *
 * BENCH_SLACK_API_LATENCY_MS delays every stand-in answer, as Slack's real Web API takes tens of
 * milliseconds: anything waiting on the Web API before ack() then shows in the figures.
 */
import { availableParallelism, loadavg } from 'node:os';
import { loadEnv } from '../config/env.js';
import { startRapport } from '../main/runtime.js';
import { openDb } from '../store/db.js';
import { startDevServer } from '../workflows/temporal/dev-server.js';
import { freePort } from '../workflows/temporal/free-port.js';
import { percentile, report } from './report.js';
import { errorCountingLogger } from './support/error-counting-logger.js';
import { timeHandler } from './support/handler-timing.js';
import { withLoopStall } from './support/loop-stall.js';
import { startSlackClient, type Prepared } from './support/slack-client.js';
import { KINDS, type Kind } from './support/slack-traffic.js';
import { HUBSPOT_TOKEN, startSlackWorld, type WorldErrors } from './support/slack-world.js';
import { BOT_TOKEN, SIGNING_SECRET } from './support/slack-workspace.js';

const N = Number(process.env.BENCH_SLACK_N ?? 50);
const API_LATENCY_MS = Number(process.env.BENCH_SLACK_API_LATENCY_MS ?? 0);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 100); // HubSpot requests per 10 s
const TARGET_P99_MS = 100;
const API_TOKEN = 'bench-token-0123456789abcdefghijkl';

const rapportLog = errorCountingLogger({ printErrors: !!process.env.BENCH_SLACK_DEBUG });
const world = startSlackWorld({ budget: BUDGET, apiLatencyMs: API_LATENCY_MS });
const client = startSlackClient();

const temporal = await startDevServer({ ui: false });
const { hubspotUrl, slackApiUrl } = await world.ready;
const db = await openDb({
  databaseUrl: process.env.DATABASE_URL,
  schema: process.env.DATABASE_URL ? `bench_${Date.now()}` : undefined,
});
const env = loadEnv({
  LOG_LEVEL: 'warn',
  API_TOKENS: API_TOKEN,
  PORT: String(await freePort()),
  HUBSPOT_RATE_LIMIT: String(BUDGET),
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slackApiUrl,
});
const rapport = await startRapport(env, rapportLog.logger, {
  temporalAddress: temporal.address,
  db,
  hubspotBasePath: hubspotUrl,
  hubspotToken: HUBSPOT_TOKEN,
});
const slackApp = rapport.slack.app;
if (!rapport.url || slackApp?.mode !== 'http') throw new Error('Rapport did not start with Slack over HTTP');
const base = { host: new URL(rapport.url).hostname, port: new URL(rapport.url).port };
const { handled, arrivals } = timeHandler(slackApp);

// Customers from the seeded book of business: emails for /touch, /customer and messages, ids
// for the picker, names and companies for its search.
const book = (await rapport.crm.searchContacts({ query: 'example', limit: 200 }))
  .filter((c) => c.email && /^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(c.email))
  .map(({ id, email, properties }) => ({ id, email, properties }));
if (book.length === 0) throw new Error('the sandbox returned no contacts');
const searches = await world.init(book);

interface Errors extends WorldErrors {
  non2xx: number;
  logged: number;
  /** Picker searches answered with no options: every search is for a name or company in the book. */
  emptyOptions: number;
  /** The last error Rapport logged during the round (errors after the last round are not counted). */
  lastLogged?: string;
}
const noErrors = (): Errors => ({
  non2xx: 0,
  webApi: 0,
  webApiByError: {},
  responseUrl: 0,
  missing: 0,
  logged: 0,
  emptyOptions: 0,
});

/** One burst: `count` requests of each kind at once, then what they caused after ack(). */
async function measure(kinds: Kind[], count: number) {
  const { order, ...mark } = await world.prepare(kinds, count);
  const handled0 = handled.length;
  const arrivals0 = arrivals.length;
  const logged0 = rapportLog.counts.errors;
  // How long Rapport's event loop was kept from turning while the burst was answered.
  const { result: sent, stallMs } = await withLoopStall(() =>
    client.send(
      base,
      order.map(([, p]) => p),
    ),
  );
  const inHandler = handled.slice(handled0);
  const arrived = arrivals.slice(arrivals0);
  const arrivalSpreadMs = arrived.length ? Math.max(...arrived) - Math.min(...arrived) : 0;
  const results = sent.map((r, i) => ({ kind: order[i]![0], ...r }));
  const byKind = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  for (const r of results) byKind.get(r.kind)!.push(r.ms);
  const worldErrors = await world.settle(kinds, count, mark);
  const errors: Errors = {
    ...worldErrors,
    non2xx: results.filter((r) => r.status < 200 || r.status > 299).length,
    logged: rapportLog.counts.errors - logged0,
    lastLogged: rapportLog.counts.errors > logged0 ? rapportLog.counts.last : undefined,
    emptyOptions: results.filter(
      (r) => r.kind === 'block_suggestion' && r.status === 200 && !/"options":\[\{/.test(r.body),
    ).length,
  };
  return { byKind, inHandler, arrivalSpreadMs, stallMs, errors };
}

/** The baseline: N GET /healthz at once, the bare hono server. */
async function healthz() {
  const { result: sent, stallMs } = await withLoopStall(() =>
    client.send(
      base,
      Array.from({ length: N }, (): Prepared => ({ method: 'GET', path: '/healthz', headers: {} })),
    ),
  );
  return { latencies: sent.map((r) => r.ms), non2xx: sent.filter((r) => r.status !== 200).length, stallMs };
}
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
};
const ms = (x: number) => Number(x.toFixed(1));

// The machine may be shared: what else was running is part of the figures.
const loadAtStart = loadavg()[0]!;
// Warm-up: sockets, JIT, Bolt's first auth.test, caches; a few of each kind, not measured.
await healthz();
for (let i = 0; i < 3; i++) await measure(KINDS, 3);
await new Promise((r) => setTimeout(r, 1000));
const authTests0 = await world.authTests();

// Baseline: the bare hono server.
const baseline = await healthz();

// Scenario 1: each kind's N at once, one kind after another.
const errors = noErrors();
const addErrors = (e: Errors) => {
  for (const key of ['non2xx', 'webApi', 'responseUrl', 'missing', 'logged', 'emptyOptions'] as const)
    errors[key] += e[key];
  for (const [k, v] of Object.entries(e.webApiByError)) errors.webApiByError[k] = (errors.webApiByError[k] ?? 0) + v;
  errors.lastLogged = e.lastLogged ?? errors.lastLogged;
};
/** Which round's follow-ups never came (each kind's own round, then the all-at-once round). */
const missingByRound: string[] = [];
const perKind = new Map<Kind, { latencies: number[]; inHandler: number[]; stall: number; arrivalSpreadMs: number }>();
for (const kind of KINDS) {
  const { byKind, inHandler, arrivalSpreadMs, stallMs, errors: e } = await measure([kind], N);
  perKind.set(kind, { latencies: byKind.get(kind)!, inHandler, stall: stallMs, arrivalSpreadMs });
  if (e.missing > 0) missingByRound.push(`${kind} ${e.missing}`);
  addErrors(e);
}

// Scenario 2: every kind's N at once (8 x N requests in one burst), once HubSpot's budget,
// spent by what the first scenario started, has refilled.
await new Promise((r) => setTimeout(r, 10_500));
const together = await measure(KINDS, N);
if (together.errors.missing > 0) missingByRound.push(`all_at_once ${together.errors.missing}`);
addErrors(together.errors);
const authTests = (await world.authTests()) - authTests0;
const loadAtEnd = loadavg()[0]!;

await rapport.stop();
await world.close();
await client.close();
await db.close();
await temporal.stop();

const overall = stats([...perKind.values()].flatMap((k) => k.latencies));
const details: Record<string, number | string | boolean> = {
  requests_per_kind: N,
  slack_api_latency_ms: API_LATENCY_MS,
  hubspot_budget_per_10s: BUDGET,
  cpus: availableParallelism(),
  load_average_1m_start: Number(loadAtStart.toFixed(2)),
  load_average_1m_end: Number(loadAtEnd.toFixed(2)),
  picker_searches: searches.join(', '),
  baseline_healthz_p50_ms: ms(stats(baseline.latencies).p50),
  baseline_healthz_p99_ms: ms(stats(baseline.latencies).p99),
  baseline_non2xx: baseline.non2xx,
  baseline_loop_stall_max_ms: ms(baseline.stallMs),
};
for (const kind of KINDS) {
  const k = perKind.get(kind)!;
  details[`${kind}_p50_ms`] = ms(stats(k.latencies).p50);
  details[`${kind}_p99_ms`] = ms(stats(k.latencies).p99);
  details[`${kind}_in_handler_p99_ms`] = ms(stats(k.inHandler).p99);
  details[`${kind}_loop_stall_max_ms`] = ms(k.stall);
  details[`${kind}_arrival_spread_ms`] = ms(k.arrivalSpreadMs);
}
const all = stats([...together.byKind.values()].flat());
Object.assign(details, {
  overall_p50_ms: ms(overall.p50),
  overall_p99_ms: ms(overall.p99),
  overall_max_ms: ms(overall.max),
  all_at_once_requests: KINDS.length * N,
  all_at_once_p50_ms: ms(all.p50),
  all_at_once_p99_ms: ms(all.p99),
  all_at_once_max_ms: ms(all.max),
  all_at_once_in_handler_p99_ms: ms(stats(together.inHandler).p99),
  all_at_once_loop_stall_max_ms: ms(together.stallMs),
  all_at_once_arrival_spread_ms: ms(together.arrivalSpreadMs),
});
for (const kind of KINDS) {
  const s = stats(together.byKind.get(kind)!);
  details[`all_at_once_${kind}_p50_ms`] = ms(s.p50);
  details[`all_at_once_${kind}_p99_ms`] = ms(s.p99);
}
const errorCount =
  errors.non2xx + errors.webApi + errors.responseUrl + errors.logged + errors.missing + errors.emptyOptions;
Object.assign(details, {
  errors_non2xx: errors.non2xx,
  errors_web_api: errors.webApi,
  errors_web_api_by_error: Object.entries(errors.webApiByError)
    .map(([k, v]) => `${k} ${v}`)
    .join('; '),
  errors_response_url: errors.responseUrl,
  errors_logged: errors.logged,
  errors_last_logged: errors.lastLogged ?? '',
  errors_empty_options: errors.emptyOptions,
  follow_ups_missing: errors.missing,
  follow_ups_missing_by_round: missingByRound.join('; '),
  auth_test_calls_per_request: Number((authTests / (KINDS.length * N * 2)).toFixed(3)),
  store: db.kind,
});

report({
  bench: 'slack',
  metric: 'ack_p99_ms',
  value: Math.round(overall.p99),
  target: TARGET_P99_MS,
  pass: overall.p99 < TARGET_P99_MS && errorCount === 0,
  details,
});
process.exit(0);
