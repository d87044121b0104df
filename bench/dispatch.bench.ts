/**
 * bench:dispatch — one alert to 100,000 list memberships (10 lists, ~35% overlap: ~65,000
 * unique contacts) by email to the local SMTP catcher, timed from the approval to the last
 * message the catcher receives; in the same run, a bare nodemailer pooled loop (same pool
 * settings, same messages built by buildAlertEmail, same catcher, also in its own process)
 * sends the same unique recipients. Reports recipients/s of both and their ratio (target
 * >= 0.9), the worker's peak RSS (target < 300 MB; the worker runs in a child process) and
 * the longest workflow history in events (must stay under 10,000).
 *
 * The lists are written straight into the sandbox's state; the sandbox budget is generous
 * (CRM logging is measured by bench:crm-log). Quiet hours off, frequency cap out of reach,
 * EMAIL_RATE_PER_SECOND 10,000, catcher without bodies. Needs PostgreSQL binaries or DATABASE_URL
 * (a worker in its own process cannot share PGlite).
 *
 *   npm run bench:dispatch
 *   BENCH_MEMBERSHIPS=20000 BENCH_LISTS=10 BENCH_OVERLAP=0.35 BENCH_BARE_IN_FLIGHT=50 npm run bench:dispatch
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SMTP_POOL } from '../channels/email/sender.js';
import { loadEnv } from '../config/env.js';
import {
  approve,
  historyLengths,
  startBroadcastBench,
  submitAlert,
  waitForStatus,
  WORKER_NODE_ARGS,
  workerEnvText,
} from './support/broadcast.js';
import { memoryFigures } from '../testkit/memory-breakdown.js';
import { machineCpuSeconds, machineCpuSince } from './support/machine-cpu.js';
import { report } from './report.js';

const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 100_000);
const LISTS = Number(process.env.BENCH_LISTS ?? 10);
const OVERLAP = Number(process.env.BENCH_OVERLAP ?? 0.35);
/** 1 (default): the worker gets a workflow bundle built ahead of time; 0: it bundles at start like `npm run worker`. */
const PREBUNDLE = process.env.BENCH_PREBUNDLE !== '0';
const BARE_IN_FLIGHT = Number(process.env.BENCH_BARE_IN_FLIGHT ?? 50);
const RATIO_TARGET = 0.9;
const RSS_TARGET_MB = 300;
const HISTORY_LIMIT = 10_000;

const log = (line: string) => console.error(`[bench:dispatch] ${line}`);
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

const bench = await startBroadcastBench({
  memberships: MEMBERSHIPS,
  lists: LISTS,
  overlap: OVERLAP,
  setupBudget: 100_000,
  workerCrmBudget: 1_000,
  prebundle: PREBUNDLE,
});
const env = loadEnv(bench.envVars);
log(`${MEMBERSHIPS} memberships on ${LISTS} lists (${bench.uniqueContacts} contacts); resolving`);

const resolveStarted = performance.now();
const alert = await submitAlert(bench);
const resolveMs = performance.now() - resolveStarted;
const deliveries = alert.audience?.deliveries ?? 0;
log(`audience: ${JSON.stringify(alert.audience)} in ${seconds(resolveMs)} s; approving`);

// The approval requests went out before the status changed; count from what the catcher holds now.
await bench.catcher.waitForCount(1, 10_000);
await new Promise((r) => setTimeout(r, 500));
const before = bench.catcher.count();
const resolvedMemory = bench.worker.memory();
// The worker's own breakdown: now, and at its highest RSS so far (resolution's); then dispatch's peak starts.
const resolution = await bench.worker.memoryBreakdown(true);

let peakRssMb = 0;
const sampler = setInterval(() => {
  const { rssMb } = bench.worker.memory();
  if (rssMb !== undefined && rssMb > peakRssMb) peakRssMb = rssMb;
}, 100);

const ledgerCommits = async () =>
  Number(
    (
      await bench.db.query<{ n: string }>(
        `select xact_commit::text as n from pg_stat_database where datname = current_database()`,
      )
    ).rows[0]?.n ?? 0,
  );
const commitsBefore = await ledgerCommits();
const cpuBefore = { worker: bench.worker.cpuSeconds(), bench: process.cpuUsage(), machine: machineCpuSeconds() };
const approved = performance.now();
await approve(bench, alert);
await bench.catcher.waitForCount(before + deliveries, 60 * 60_000);
const lastSend = performance.now();
const benchCpu = process.cpuUsage(cpuBefore.bench);
const engineCpu = {
  worker: bench.worker.cpuSeconds() - cpuBefore.worker,
  bench: (benchCpu.user + benchCpu.system) / 1e6,
  machine: machineCpuSince(cpuBefore.machine),
};
// PostgreSQL publishes a backend's counts within a second of its commit.
await new Promise((r) => setTimeout(r, 1_500));
const engineCommits = (await ledgerCommits()) - commitsBefore;
const engineMs = lastSend - approved;
log(`engine: ${deliveries} messages in ${seconds(engineMs)} s`);

const done = await waitForStatus(bench, alert.id, ['completed', 'cancelled'], 30 * 60_000, 500);
clearInterval(sampler);
const afterRun = bench.worker.memory();
const histories = await historyLengths(bench, alert.id);
const duplicates = bench.catcher.duplicates().length;
const workerStop = await bench.worker.stop();
log(`workflow ${done.status}; histories ${histories.join(', ')}; worker peak ${workerStop.maxRssMb} MB`);
for (const [phase, b] of Object.entries({
  ready: bench.worker.readyMemory,
  resolutionPeak: resolution.peak,
  dispatchPeak: workerStop.peak,
})) {
  log(`worker memory, ${phase}: ${JSON.stringify(b)}`);
}

// Bare baseline: the same recipients and tokens from the ledger, to the same (emptied) catcher.
const { rows } = await bench.db.query<{ contactId: string; address: string; token: string }>(
  `select contact_id as "contactId", address, token from deliveries where alert_id = $1 order by seq`,
  [alert.id],
);
const { rows: alertRows } = await bench.db.query<{ title: string; body: string }>(
  `select title, body from alerts where id = $1`,
  [alert.id],
);
const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-bare-'));
const rowsFile = join(dir, 'rows.json');
writeFileSync(rowsFile, JSON.stringify(rows));

/** One bare loop in its own process, to the emptied catcher: wall time and the sender's CPU. */
async function runBare(raw: boolean) {
  await bench.catcher.clear();
  const bare = fork(new URL('./support/bare-sender.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_BARE: JSON.stringify({
        smtpUrl: bench.catcher.smtpUrl,
        rowsFile,
        alert: { id: alert.id, title: alertRows[0]!.title, body: alertRows[0]!.body },
        sender: { from: env.MAIL_FROM, replyDomain: env.REPLY_DOMAIN, publicUrl: bench.rapport.url },
        secret: env.RAPPORT_SECRET,
        pool: DEFAULT_SMTP_POOL,
        inFlight: BARE_IN_FLIGHT,
        raw,
      }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<{ sent: number; failed: number; cpuS: number }>((resolve) =>
    bare.on('message', (m: { done?: boolean; sent: number; failed: number; cpuS: number }) => {
      if (m.done) resolve(m);
    }),
  );
  await new Promise<void>((resolve) => bare.once('message', () => resolve()));
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  bare.send({ go: true });
  await bench.catcher.waitForCount(rows.length, 60 * 60_000);
  const ms = performance.now() - started;
  const catcherCpu = process.cpuUsage(cpuBefore);
  const machineCpuS = machineCpuSince(machineBefore);
  const outcome = await result;
  log(`bare${raw ? ' (raw MIME)' : ''}: ${rows.length} messages in ${seconds(ms)} s`);
  return { ms, outcome, catcherCpuS: (catcherCpu.user + catcherCpu.system) / 1e6, machineCpuS };
}

const bareRun = await runBare(false);
// Not the target's baseline: the same loop handing nodemailer the message as Rapport writes it
// (alert-mime.ts). The ratio against it is Rapport's own overhead: Temporal, the ledger, pacing.
const bareRawRun = await runBare(true);
rmSync(dir, { recursive: true, force: true });
const { ms: bareMs, outcome: bareOutcome } = bareRun;

const engineRate = deliveries / (engineMs / 1000);
const bareRate = rows.length / (bareMs / 1000);
const ratio = engineRate / bareRate;
const bareRawRate = rows.length / (bareRawRun.ms / 1000);
const longest = Math.max(...histories);
const workerPeak = workerStop.maxRssMb ?? afterRun.hwmMb ?? peakRssMb;
const counts = done.counts;

await bench.close();

report({
  bench: 'dispatch',
  metric: 'ratio_vs_bare_nodemailer',
  value: Number(ratio.toFixed(3)),
  target: RATIO_TARGET,
  pass:
    ratio >= RATIO_TARGET &&
    workerPeak < RSS_TARGET_MB &&
    longest < HISTORY_LIMIT &&
    (counts.sent ?? 0) === deliveries &&
    duplicates === 0,
  details: {
    memberships: MEMBERSHIPS,
    lists: LISTS,
    overlap: OVERLAP,
    unique_contacts: alert.audience?.uniqueContacts ?? 0,
    deliveries,
    resolve_s: seconds(resolveMs),
    engine_s: seconds(engineMs),
    engine_recipients_per_s: Math.round(engineRate),
    bare_s: seconds(bareMs),
    bare_recipients_per_s: Math.round(bareRate),
    ratio: Number(ratio.toFixed(3)),
    ratio_target: RATIO_TARGET,
    engine_cpu_s_worker: Number(engineCpu.worker.toFixed(1)),
    engine_cpu_s_catcher_sandbox_api: Number(engineCpu.bench.toFixed(1)),
    engine_cpu_s_machine: engineCpu.machine ?? 'n/a',
    engine_pg_commits_per_delivery: Number((engineCommits / deliveries).toFixed(3)),
    bare_cpu_s_sender: Number(bareOutcome.cpuS.toFixed(1)),
    bare_cpu_s_catcher: Number(bareRun.catcherCpuS.toFixed(1)),
    bare_cpu_s_machine: bareRun.machineCpuS ?? 'n/a',
    bare_raw_mime_s: seconds(bareRawRun.ms),
    bare_raw_mime_recipients_per_s: Math.round(bareRawRate),
    ratio_vs_bare_raw_mime: Number((engineRate / bareRawRate).toFixed(3)),
    bare_raw_mime_cpu_s_sender: Number(bareRawRun.outcome.cpuS.toFixed(1)),
    bare_raw_mime_cpu_s_catcher: Number(bareRawRun.catcherCpuS.toFixed(1)),
    bare_raw_mime_cpu_s_machine: bareRawRun.machineCpuS ?? 'n/a',
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
    worker_peak_rss_mb: workerPeak,
    worker_peak_rss_target_mb: RSS_TARGET_MB,
    worker_peak_rss_during_dispatch_mb: peakRssMb,
    worker_prebuilt_workflow_bundle: PREBUNDLE,
    worker_node_args: WORKER_NODE_ARGS || '(V8 defaults)',
    worker_env: workerEnvText(),
    worker_rss_when_ready_mb: bench.worker.readyRssMb ?? 'n/a',
    worker_rss_after_resolution_mb: resolvedMemory.rssMb ?? 'n/a',
    worker_vmhwm_after_resolution_mb: resolvedMemory.hwmMb ?? 'n/a',
    worker_vmhwm_mb: afterRun.hwmMb ?? 'n/a',
    ...memoryFigures('worker_mem_ready', bench.worker.readyMemory),
    ...memoryFigures('worker_mem_resolution_peak', resolution.peak),
    ...memoryFigures('worker_mem_after_resolution', resolution.now),
    ...memoryFigures('worker_mem_dispatch_peak', workerStop.peak),
    longest_history_events: longest,
    history_limit: HISTORY_LIMIT,
    workflow_runs: histories.length,
    history_events_per_run: histories.join(' / '),
    final_status: done.status,
    sent: counts.sent ?? 0,
    failed: counts.failed ?? 0,
    unconfirmed: counts.unconfirmed ?? 0,
    duplicate_recipients: duplicates,
    bare_sent: bareOutcome.sent,
    bare_failed: bareOutcome.failed,
    bare_raw_mime_sent: bareRawRun.outcome.sent,
    smtp_pool: `${DEFAULT_SMTP_POOL.maxConnections} connections x ${DEFAULT_SMTP_POOL.maxMessages} messages`,
    bare_in_flight: BARE_IN_FLIGHT,
    batch_size: env.ALERT_BATCH_SIZE,
    history_budget: env.ALERT_HISTORY_EVENTS,
    store: 'postgres',
  },
});
process.exit(0);
