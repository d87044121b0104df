/**
 * bench:digest — one digest slot for 50,000 digest-mode contacts with 5 alerts each: 50,000
 * digest messages (one per contact, listing 5 alerts) to the local SMTP catcher, timed from the
 * slot to the last message the catcher receives; in the same run, the bare nodemailer raw-MIME
 * loop (bench/support/bare-sender.ts, its own process, the same pool settings) sends one alert
 * email to each of the same contacts. Reports digests/s against the bare loop's messages/s
 * (target >= 0.8), the worker's peak RSS (in a child process, as deployed) and the longest
 * workflow history of the digest run (must stay under 10,000 events).
 *
 * The ledger is filled directly (5 approved alerts, 250,000 rows in status 'digest', due at the
 * slot): audience resolution and approval are measured by bench:dispatch. The digest run is the
 * real `customerDigest` workflow on the worker, paging through the contacts, sending, recording
 * and logging every alert x contact on the sandbox CRM's timeline (which trails the sends).
 *
 *   npm run bench:digest
 *   BENCH_DIGEST_CONTACTS=5000 npm run bench:digest
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SMTP_POOL } from '../channels/email/sender.js';
import { loadEnv } from '../config/env.js';
import { createAlertStore } from '../store/alerts.js';
import { machineCpuSeconds, machineCpuSince } from './support/machine-cpu.js';
import { REQUESTER, startBroadcastBench, WORKER_NODE_ARGS, workerEnvText } from './support/broadcast.js';
import { report } from './report.js';

const CONTACTS = Number(process.env.BENCH_DIGEST_CONTACTS ?? 50_000);
const ALERTS = Number(process.env.BENCH_DIGEST_ALERTS ?? 5);
const BARE_IN_FLIGHT = Number(process.env.BENCH_BARE_IN_FLIGHT ?? 50);
const RATIO_TARGET = 0.8;
const HISTORY_LIMIT = 10_000;
/** The slot is this far after the ledger is filled: the run starts sleeping, as in production. */
const SLOT_DELAY_MS = 5_000;

const log = (line: string) => console.error(`[bench:digest] ${line}`);
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

const bench = await startBroadcastBench({
  memberships: CONTACTS,
  lists: 1,
  overlap: 0,
  setupBudget: 100_000,
  // CRM logging of 250,000 engagements (100 per request) trails the sends inside this budget.
  workerCrmBudget: 1_000,
  prebundle: true,
});
const env = loadEnv(bench.envVars);
const list = bench.sandbox.state().lists.find((l) => l.listId === bench.listIds[0])!;
const contacts = list.members.map((m) => m.recordId);
log(`${contacts.length} contacts; filling the ledger with ${ALERTS} alerts each`);

// Five approved alerts on one topic, every contact's row waiting for the digest at the slot.
const alerts = createAlertStore(bench.db);
const alertIds: string[] = [];
for (let a = 0; a < ALERTS; a++) {
  const id = `alr_bench_digest_${a}`;
  await alerts.insert(id, {
    requester: REQUESTER,
    title: `Rates move ${a + 1}: fixed deposits up 0.${a + 1}%`,
    body: `Our **fixed deposit** rates rise on Monday (${a + 1} of ${ALERTS}).\n\n- 12 months: 3.10%\n- 24 months: 3.35%\n\nDetails: https://bank.example/rates`,
    topic: 'rates',
    lists: bench.listIds,
    channels: ['email'],
    replyTo: 'analyst',
    approverGroup: 'bench',
  } as Parameters<typeof alerts.insert>[1]);
  await bench.db.query(
    `update alerts set status = 'following_up', approved_at = now() + make_interval(secs => $2) where id = $1`,
    [id, a],
  );
  alertIds.push(id);
}
const slotAt = new Date(Date.now() + SLOT_DELAY_MS + 20_000).toISOString();
const emails = new Map(
  bench.sandbox
    .records('contacts')
    .filter((c) => typeof c.properties.email === 'string')
    .map((c) => [c.id, String(c.properties.email)]),
);
for (const alertId of alertIds) {
  for (let i = 0; i < contacts.length; i += 5_000) {
    const chunk = contacts.slice(i, i + 5_000);
    await bench.db.query(
      `insert into deliveries (alert_id, contact_id, seq, email, channel, address, time_zone, token, status, digest_mode, digest_at)
       select $1, c, $2 + n - 1, e, 'email', e, 'UTC', substr(md5($1 || '.' || c), 1, 16), 'digest', 'daily', $5
       from unnest($3::text[], $4::text[]) with ordinality as t(c, e, n)`,
      [alertId, i, chunk, chunk.map((c) => emails.get(c)!), slotAt],
    );
  }
}
log(`ledger filled: ${contacts.length * ALERTS} rows; the slot is ${slotAt}`);

await bench.catcher.clear();
let peakRssMb = 0;
const sampler = setInterval(() => {
  const { rssMb } = bench.worker.memory();
  if (rssMb !== undefined && rssMb > peakRssMb) peakRssMb = rssMb;
}, 100);

// The run as the alert workflow starts it: its id derived from the slot, on the worker's task queue.
const workflowId = `digest:${env.TEMPORAL_TASK_QUEUE}:${slotAt}`;
const handle = await bench.rapport.temporal.workflow.start('customerDigest', {
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  workflowId,
  args: [{ slotAt, pageSize: env.ALERT_BATCH_SIZE, historyBudget: env.ALERT_HISTORY_EVENTS }],
});
const cpuBefore = { worker: bench.worker.cpuSeconds(), machine: machineCpuSeconds() };
const waitMs = Date.parse(slotAt) - Date.now();
if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
const started = performance.now();
await bench.catcher.waitForCount(contacts.length, 60 * 60_000);
const engineMs = performance.now() - started;
const engineCpu = { worker: bench.worker.cpuSeconds() - cpuBefore.worker, machine: machineCpuSince(cpuBefore.machine) };
const loadDuringEngine = loadavg()[0]!;
log(`engine: ${contacts.length} digests in ${seconds(engineMs)} s`);
const totals = (await handle.result()) as Record<string, number>;
const crmLoggedMs = performance.now() - started;
clearInterval(sampler);

// Every run of the digest workflow (continue-as-new makes several): the longest history.
const histories: number[] = [];
for await (const wf of bench.rapport.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
  const h = await bench.rapport.temporal.workflow.getHandle(workflowId, wf.runId).fetchHistory();
  histories.push(h.events?.length ?? 0);
}
if (histories.length === 0) histories.push((await handle.fetchHistory()).events?.length ?? 0);
const duplicates = bench.catcher.duplicates().length;
const { rows: ledger } = await bench.db.query<{ status: string; n: number; logged: number }>(
  `select status, count(*)::int as n, count(crm_logged_at)::int as logged from deliveries group by status`,
);
const workerStop = await bench.worker.stop();
log(`run ${JSON.stringify(totals)}; ledger ${JSON.stringify(ledger)}; histories ${histories.join(', ')}`);

// Bare baseline: one raw-MIME alert email per contact, the same catcher (emptied), its own process.
const { rows } = await bench.db.query<{ contactId: string; address: string; token: string }>(
  `select contact_id as "contactId", address, token from deliveries where alert_id = $1 order by seq`,
  [alertIds[0]],
);
const first = (await alerts.get(alertIds[0]!))!;
const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-bare-'));
const rowsFile = join(dir, 'rows.json');
writeFileSync(rowsFile, JSON.stringify(rows));
await bench.catcher.clear();
const bare = fork(new URL('./support/bare-sender.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx'],
  env: {
    ...process.env,
    BENCH_BARE: JSON.stringify({
      smtpUrl: bench.catcher.smtpUrl,
      rowsFile,
      alert: { id: first.id, title: first.title, body: first.body },
      sender: { from: env.MAIL_FROM, replyDomain: env.REPLY_DOMAIN, publicUrl: bench.rapport.url },
      secret: env.RAPPORT_SECRET,
      pool: DEFAULT_SMTP_POOL,
      inFlight: BARE_IN_FLIGHT,
      raw: true,
    }),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const bareDone = new Promise<{ sent: number; failed: number; cpuS: number }>((resolve) =>
  bare.on('message', (m: { done?: boolean; sent: number; failed: number; cpuS: number }) => {
    if (m.done) resolve(m);
  }),
);
await new Promise<void>((resolve) => bare.once('message', () => resolve()));
const bareStarted = performance.now();
bare.send({ go: true });
await bench.catcher.waitForCount(rows.length, 60 * 60_000);
const bareMs = performance.now() - bareStarted;
const bareOutcome = await bareDone;
rmSync(dir, { recursive: true, force: true });
log(`bare (raw MIME): ${rows.length} messages in ${seconds(bareMs)} s`);

const digestRate = contacts.length / (engineMs / 1000);
const bareRate = rows.length / (bareMs / 1000);
const ratio = digestRate / bareRate;
const longest = Math.max(...histories);
const workerPeak = workerStop.maxRssMb ?? peakRssMb;
const sentRows = ledger.find((r) => r.status === 'sent');

await bench.close();

report({
  bench: 'digest',
  metric: 'ratio_vs_bare_nodemailer_raw_mime',
  value: Number(ratio.toFixed(3)),
  target: RATIO_TARGET,
  pass:
    ratio >= RATIO_TARGET &&
    longest < HISTORY_LIMIT &&
    (totals.sent ?? 0) === contacts.length &&
    sentRows?.n === contacts.length * ALERTS &&
    duplicates === 0,
  details: {
    contacts: contacts.length,
    alerts_per_contact: ALERTS,
    ledger_rows: contacts.length * ALERTS,
    digest_s: seconds(engineMs),
    digests_per_s: Math.round(digestRate),
    alert_rows_per_s: Math.round(digestRate * ALERTS),
    crm_logged_s: seconds(crmLoggedMs),
    bare_raw_mime_s: seconds(bareMs),
    bare_raw_mime_messages_per_s: Math.round(bareRate),
    ratio: Number(ratio.toFixed(3)),
    ratio_target: RATIO_TARGET,
    digest_cpu_s_worker: Number(engineCpu.worker.toFixed(1)),
    digest_cpu_s_machine: engineCpu.machine ?? 'n/a',
    bare_cpu_s_sender: Number(bareOutcome.cpuS.toFixed(1)),
    load_average_1m_during_digests: Number(loadDuringEngine.toFixed(2)),
    load_average_1m_at_end: Number(loadavg()[0]!.toFixed(2)),
    worker_peak_rss_mb: workerPeak,
    worker_peak_rss_sampled_mb: peakRssMb,
    worker_node_args: WORKER_NODE_ARGS || '(V8 defaults)',
    worker_env: workerEnvText(),
    longest_history_events: longest,
    history_limit: HISTORY_LIMIT,
    workflow_runs: histories.length,
    history_events_per_run: histories.join(' / '),
    digests_sent: totals.sent ?? 0,
    digests_failed: totals.failed ?? 0,
    digests_unconfirmed: totals.unconfirmed ?? 0,
    rows_sent: sentRows?.n ?? 0,
    rows_on_crm_timeline: sentRows?.logged ?? 0,
    duplicate_recipients: duplicates,
    bare_sent: bareOutcome.sent,
    bare_failed: bareOutcome.failed,
    smtp_pool: `${DEFAULT_SMTP_POOL.maxConnections} connections x ${DEFAULT_SMTP_POOL.maxMessages} messages`,
    bare_in_flight: BARE_IN_FLIGHT,
    page_size: env.ALERT_BATCH_SIZE,
    history_budget: env.ALERT_HISTORY_EVENTS,
    store: 'postgres',
  },
});
