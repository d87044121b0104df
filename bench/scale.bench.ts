/**
 * bench:scale — the dispatch of bench:dispatch (one alert to 100,000 list memberships, 10 lists,
 * 35% overlap: ~65,000 unique contacts, by email to the local SMTP catcher), timed from the
 * approval to the last message the catcher receives, run four times in one go:
 *
 *   - the single-process engine on the CLI's dev server (the baseline: one worker process), then
 *   - on a real Temporal cluster (the server on PostgreSQL, `npm run cluster`) with 1, 2 and 3
 *     worker processes.
 *
 * Every run has the API in a process of its own (`npm start`'s command) and its workers as
 * bench:dispatch runs them (compiled, a prebuilt workflow bundle, `npm run worker`'s V8 flags), a
 * fresh HubSpot sandbox enforcing the portal budget BENCH_BUDGET that every process is also told
 * (HUBSPOT_RATE_LIMIT), a fresh catcher and a fresh store schema on a PostgreSQL of the bench's
 * own (so its CPU is Rapport's and Temporal's alone).
 *
 * Reports per run: recipients/s and the ratio to the dev-server baseline, peak RSS per worker,
 * the most CRM requests the sandbox received in any 10 s (and its 429s), and CPU seconds per
 * recipient of each component (API, workers, Temporal, PostgreSQL, the bench's sandbox and
 * catcher) from /proc. On 2 cores more workers cannot add cores: the target is no collapse,
 * 3 workers >= 0.8x 1 worker on the cluster, with every recipient sent once.
 *
 *   npm run bench:scale
 *   BENCH_MEMBERSHIPS=10000 npm run bench:scale        # a smoke run
 *   BENCH_SCALE_WORKERS=1,3 BENCH_BUDGET=1000 npm run bench:scale
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedBenchLists, startHubSpotSandbox } from '../sandbox/hubspot/index.js';
import { startSmtpCatcher } from '../sandbox/smtp/index.js';
import { startDevServer } from '../workflows/temporal/dev-server.js';
import { freePort } from '../workflows/temporal/free-port.js';
import { findServerInstall, SERVER_INSTALL_HELP } from '../workflows/temporal/server-install.js';
import { bundleWorkflowsFromSource } from '../workflows/worker.js';
import { startTestCluster } from '../testkit/cluster.js';
import { scratchPostgres, type ScratchPostgres } from '../testkit/postgres.js';
import { startRapportProcess, type RapportProcess } from '../testkit/rapport-process.js';
import { startWorkerProcess, WORKER_PROCESS_ENTRY, type WorkerProcess } from '../testkit/worker-child.js';
import { APPROVER, REQUESTER, TOKEN, WORKER_ENV, WORKER_NODE_ARGS, workerEnvText } from './support/broadcast.js';
import { compileEntry } from './support/compile-entry.js';
import { machineCpuSeconds, machineCpuSince } from './support/machine-cpu.js';
import { treeCpuSeconds } from './support/process-cpu.js';
import { report } from './report.js';
import { startPeopleTokens } from '../testkit/people.js';

const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 100_000);
const LISTS = Number(process.env.BENCH_LISTS ?? 10);
const OVERLAP = Number(process.env.BENCH_OVERLAP ?? 0.35);
/** The portal's HubSpot budget (requests / 10 s): the sandbox enforces it, every process is told it. */
const BUDGET = Number(process.env.BENCH_BUDGET ?? 1_000);
const WORKER_COUNTS = (process.env.BENCH_SCALE_WORKERS ?? '1,2,3').split(',').map(Number);
const TARGET = 0.8;
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const HUBSPOT_TOKEN = 'bench-scale-token';

const log = (line: string) => console.error(`[bench:scale] ${line}`);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

if (!findServerInstall()) {
  console.error(SERVER_INSTALL_HELP);
  process.exit(1);
}

// PostgreSQL of the bench's own when the binaries are here: its CPU is then this bench's alone.
let postgres: ScratchPostgres;
try {
  postgres = await scratchPostgres({ own: true });
} catch (error) {
  if (!process.env.DATABASE_URL) throw error;
  log(`no local PostgreSQL binaries (${(error as Error).message}); using DATABASE_URL, whose CPU is not measured`);
  postgres = await scratchPostgres();
}
const devServer = await startDevServer({ ui: false });
const cluster = await startTestCluster({ databaseUrl: postgres.url, log });
log(`dev server at ${devServer.address}; cluster at ${cluster.address}`);

// The workers as bench:dispatch runs them: compiled JavaScript and a workflow bundle built ahead of time.
const bundleDir = mkdtempSync(join(tmpdir(), 'rapport-bench-scale-'));
const bundlePath = join(bundleDir, 'workflow-bundle.js');
writeFileSync(bundlePath, (await bundleWorkflowsFromSource()).code);
const workerEntry = await compileEntry(WORKER_PROCESS_ENTRY);

interface Temporal {
  label: string;
  address: string;
  /** Process ids of the Temporal server. */
  pids: () => number[];
}

interface RunResult {
  label: string;
  workers: number;
  deliveries: number;
  resolveS: number;
  engineS: number;
  rate: number;
  sent: number;
  unconfirmed: number;
  duplicates: number;
  workerPeakRssMb: number[];
  apiPeakRssMb?: number;
  temporalPeakRssMb?: number;
  /** From the approval until the alert completed (CRM logging and the response window included). */
  completeS: number;
  crmRequests: number;
  crmByRoute: Record<string, number>;
  crmBusiestTenSeconds: number;
  crm429s: number;
  cpuS: { api: number; workers: number; temporal: number; postgres: number; harness: number; machine?: number };
  loadAverage: number;
}

/** VmHWM of a process, MB. */
function peakRssMb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function run(temporal: Temporal, workerCount: number): Promise<RunResult> {
  const label = `${temporal.label}_${workerCount}w`;
  const sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: HUBSPOT_TOKEN,
    rateLimit: { perTenSeconds: BUDGET, searchPerSecond: 5, daily: 10_000_000 },
  });
  const { listIds } = seedBenchLists(sandbox.state(), { memberships: MEMBERSHIPS, lists: LISTS, overlap: OVERLAP });
  const catcher = await startSmtpCatcher({ port: 0, webPort: 0, keepBodies: false });
  const schema = `scale_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const databaseUrl = new URL(postgres.url);
  databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), `rapport-bench-scale-${label}-`));
  // People sign in at a local issuer: only a person may decide (a service token never can).
  const people = await startPeopleTokens();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const envVars: Record<string, string> = {
    LOG_LEVEL: 'silent',
    API_TOKENS: TOKEN,
    ...people.env,
    RAPPORT_SECRET: SECRET,
    DATABASE_URL: databaseUrl.toString(),
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: temporal.address,
    HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
    HUBSPOT_BASE_PATH: sandbox.url,
    HUBSPOT_RATE_LIMIT: String(BUDGET),
    SMTP_URL: catcher.smtpUrl,
    PUBLIC_URL: publicUrl,
    APPROVER_GROUPS: `bench=${APPROVER},${REQUESTER}`,
    ALERT_QUIET_HOURS: 'off',
    ALERT_FREQUENCY_CAP: '1000000/1',
    EMAIL_RATE_PER_SECOND: '10000',
    RESPONSE_WINDOW_HOURS: '0.0003',
    WORKER_IN_PROCESS: 'false',
  };
  let api: RapportProcess | undefined;
  const workers: WorkerProcess[] = [];
  try {
    api = await startRapportProcess({ role: 'api', name: `api (${label})`, env: { ...envVars, PORT: String(port) } });
    workers.push(
      ...(await Promise.all(
        Array.from({ length: workerCount }, () =>
          startWorkerProcess({
            entry: workerEntry,
            nodeArgs: WORKER_NODE_ARGS.split(' ').filter(Boolean),
            env: { ...envVars, ...WORKER_ENV },
            config: {
              temporalAddress: temporal.address,
              databaseUrl: postgres.url,
              schema,
              crmUrl: sandbox.url,
              crmToken: HUBSPOT_TOKEN,
              smtpUrl: catcher.smtpUrl,
              publicUrl,
              bundlePath,
            },
          }),
        ),
      )),
    );
    const call = async (path: string, json?: unknown) => {
      const res = await fetch(`${publicUrl}${path}`, {
        method: json === undefined ? 'GET' : 'POST',
        headers: { authorization: await people.authorization(json, TOKEN), 'content-type': 'application/json' },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as {
        id: string;
        status: string;
        version: number;
        audience: { deliveries: number } | null;
        counts: Record<string, number>;
      };
    };
    const waitFor = async (id: string, status: string, timeoutMs: number) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const alert = await call(`/api/alerts/${id}`);
        if (alert.status === status) return alert;
        if (Date.now() > until) throw new Error(`alert ${id} is ${alert.status}, not ${status}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };

    const resolveStarted = performance.now();
    const { id } = await call('/api/alerts', {
      requester: REQUESTER,
      title: 'Rates move: fixed deposits up 0.25%',
      body: 'Our **fixed deposit** rates rise on Monday.\n\n- 12 months: 3.10%\n- 24 months: 3.35%\n\nDetails: https://bank.example/rates',
      topic: 'rates',
      lists: listIds,
      channels: ['email'],
      replyTo: 'analyst',
      approverGroup: 'bench',
    });
    const pending = await waitFor(id, 'awaiting_approval', 30 * 60_000);
    const resolveS = (performance.now() - resolveStarted) / 1000;
    const deliveries = pending.audience?.deliveries ?? 0;
    log(`${label}: audience of ${deliveries} in ${round(resolveS, 1)} s; approving`);
    // The approval requests went out before the status changed; count from what the catcher holds now.
    await catcher.waitForCount(1, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const before = catcher.count();

    const temporalCpu = () => temporal.pids().reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
    const cpu = () => ({
      api: api!.cpuSeconds(),
      workers: workers.reduce((sum, w) => sum + w.cpuSeconds(), 0),
      temporal: temporalCpu(),
      postgres: postgres.pid ? treeCpuSeconds(postgres.pid) : Number.NaN,
      harness: process.cpuUsage(),
    });
    let peaks = workers.map(() => 0);
    const sampler = setInterval(() => {
      peaks = workers.map((w, i) => Math.max(peaks[i]!, w.memory().rssMb ?? 0));
    }, 100);
    const cpuBefore = cpu();
    const machineBefore = machineCpuSeconds();
    const approved = performance.now();
    await call(`/api/alerts/${id}/decision`, { approver: APPROVER, decision: 'approve', version: pending.version });
    await catcher.waitForCount(before + deliveries, 60 * 60_000);
    const engineS = (performance.now() - approved) / 1000;
    const cpuAfter = cpu();
    const machine = machineCpuSince(machineBefore);
    clearInterval(sampler);
    const harness = process.cpuUsage(cpuBefore.harness);
    const rate = deliveries / engineS;
    log(`${label}: ${deliveries} messages in ${round(engineS, 1)} s (${Math.round(rate)}/s)`);

    const done = await waitFor(id, 'completed', 30 * 60_000);
    const completeS = (performance.now() - approved) / 1000;
    const stats = sandbox.stats();
    const lifetimePeaks = workers.map((w, i) => Math.max(peaks[i]!, w.memory().hwmMb ?? 0));
    return {
      label,
      workers: workerCount,
      deliveries,
      resolveS,
      engineS,
      rate,
      sent: done.counts.sent ?? 0,
      unconfirmed: done.counts.unconfirmed ?? 0,
      duplicates: catcher.duplicates().length,
      workerPeakRssMb: lifetimePeaks,
      apiPeakRssMb: api.memory().hwmMb,
      temporalPeakRssMb: temporal.pids().reduce((sum, pid) => sum + (peakRssMb(pid) ?? Number.NaN), 0),
      completeS,
      crmRequests: stats.requests,
      crmByRoute: stats.byRoute,
      crmBusiestTenSeconds: stats.busiestTenSeconds,
      crm429s: stats.rateLimited,
      cpuS: {
        api: cpuAfter.api - cpuBefore.api,
        workers: cpuAfter.workers - cpuBefore.workers,
        temporal: cpuAfter.temporal - cpuBefore.temporal,
        postgres: cpuAfter.postgres - cpuBefore.postgres,
        harness: (harness.user + harness.system) / 1e6,
        machine,
      },
      loadAverage: loadavg()[0]!,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await api?.stop().catch(() => undefined);
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin.end();
    await catcher.close();
    await sandbox.close();
    await people.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: RunResult[] = [];
try {
  results.push(await run({ label: 'dev', address: devServer.address, pids: () => [devServer.pid!] }, 1));
  for (const n of WORKER_COUNTS) {
    results.push(await run({ label: 'cluster', address: cluster.address, pids: cluster.pids }, n));
  }
} finally {
  // The throw-away PostgreSQL runs under runuser and would outlive a bench that only exits.
  await cluster.close().catch((error: Error) => log(`stopping the cluster: ${error.message}`));
  await devServer.stop();
  await postgres.stop();
  rmSync(bundleDir, { recursive: true, force: true });
}

const baseline = results[0]!;
const onCluster = (n: number) => results.find((r) => r.label === `cluster_${n}w`);
const most = Math.max(...WORKER_COUNTS);
const ratio = (onCluster(most)?.rate ?? 0) / (onCluster(1)?.rate ?? Number.NaN);
const allSent = results.every((r) => r.sent === r.deliveries && r.duplicates === 0);
const withinBudget = results.every((r) => r.crmBusiestTenSeconds <= BUDGET && r.crm429s === 0);

const details: Record<string, number | string | boolean> = {
  memberships: MEMBERSHIPS,
  lists: LISTS,
  overlap: OVERLAP,
  deliveries: baseline.deliveries,
  crm_budget_per_10s: BUDGET,
  [`ratio_${most}_workers_vs_1_on_cluster`]: round(ratio, 3),
  ratio_target: TARGET,
  every_recipient_sent_once: allSent,
  crm_within_budget_every_run: withinBudget,
  cluster_layout: cluster.layout,
  worker_node_args: WORKER_NODE_ARGS || '(V8 defaults)',
  worker_env: workerEnvText(),
  postgres: postgres.pid ? 'own throw-away cluster (CPU measured)' : 'DATABASE_URL (CPU not measured)',
};
const perRecipient = (seconds: number, r: RunResult) =>
  Number.isNaN(seconds) ? 'n/a' : Number(((seconds / r.deliveries) * 1000).toFixed(3));
for (const r of results) {
  const p = r.label;
  details[`${p}_recipients_per_s`] = Math.round(r.rate);
  details[`${p}_ratio_vs_dev_1w`] = round(r.rate / baseline.rate, 3);
  details[`${p}_engine_s`] = round(r.engineS);
  details[`${p}_resolve_s`] = round(r.resolveS);
  details[`${p}_sent`] = r.sent;
  details[`${p}_unconfirmed`] = r.unconfirmed;
  details[`${p}_duplicate_recipients`] = r.duplicates;
  details[`${p}_complete_s`] = round(r.completeS);
  details[`${p}_worker_peak_rss_mb`] = r.workerPeakRssMb.map((m) => Math.round(m)).join(' / ');
  details[`${p}_api_peak_rss_mb`] = r.apiPeakRssMb === undefined ? 'n/a' : Math.round(r.apiPeakRssMb);
  details[`${p}_temporal_peak_rss_mb`] = Number.isNaN(r.temporalPeakRssMb) ? 'n/a' : Math.round(r.temporalPeakRssMb!);
  details[`${p}_crm_requests`] = r.crmRequests;
  details[`${p}_crm_requests_by_route`] = Object.entries(r.crmByRoute)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${route} ${n}`)
    .join('; ');
  details[`${p}_crm_busiest_10s`] = r.crmBusiestTenSeconds;
  details[`${p}_crm_429s`] = r.crm429s;
  details[`${p}_cpu_ms_per_recipient_api`] = perRecipient(r.cpuS.api, r);
  details[`${p}_cpu_ms_per_recipient_workers`] = perRecipient(r.cpuS.workers, r);
  details[`${p}_cpu_ms_per_recipient_temporal`] = perRecipient(r.cpuS.temporal, r);
  details[`${p}_cpu_ms_per_recipient_postgres`] = perRecipient(r.cpuS.postgres, r);
  details[`${p}_cpu_ms_per_recipient_sandbox_catcher`] = perRecipient(r.cpuS.harness, r);
  details[`${p}_cpu_ms_per_recipient_machine`] = r.cpuS.machine === undefined ? 'n/a' : perRecipient(r.cpuS.machine, r);
  details[`${p}_load_average_1m`] = round(r.loadAverage);
}

report({
  bench: 'scale',
  metric: `ratio_${most}_workers_vs_1_on_cluster`,
  value: round(ratio, 3),
  target: TARGET,
  pass: ratio >= TARGET && allSent && withinBudget,
  details,
});
process.exit(0);
