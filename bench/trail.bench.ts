/**
 * bench:trail — the trail of one alert with 65,000 deliveries and 5,000 responses (the issue's
 * dashboard sizes), read as the API reads it: every page of 200 by cursor, then the whole CSV
 * streamed. Reports the p95 server time of a page (target: under 300 ms, the alert page's
 * budget) and the CSV's time and the memory it added (it streams a page at a time).
 *
 *   DATABASE_URL=postgres://... npm run bench:trail      (BENCH_DELIVERIES=65000 BENCH_RESPONSES=5000)
 */
import { createAlertEventStore } from '../store/alert-events.js';
import { openDb } from '../store/db.js';
import { migrate } from '../store/migrations.js';
import { csvHeader, csvLine, type TrailCursor } from '../domain/broadcast/trail.js';
import { percentile, report } from './report.js';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 65_000);
const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 5_000);
const PAGE = 200;
const ALERT = 'alr_01benchtrail0000000000000a';

const db = await openDb({
  databaseUrl: process.env.DATABASE_URL,
  schema: process.env.DATABASE_URL ? `bench_trail_${Date.now()}` : undefined,
});
await migrate(db);

// One alert, its ledger (sent over ten minutes, a few fallbacks and unconfirmed), responses, audit and events.
await db.query(
  `insert into alerts (id, requester, title, body, topic, list_ids, channels, reply_owner, approver_group, status)
   values ($1, 'analyst@bank.example', 'Bench alert', 'Body', 'rates', '["1"]', '["email"]', 'analyst', 'alerts', 'completed')`,
  [ALERT],
);
await db.query(
  `insert into deliveries (alert_id, contact_id, seq, email, channel, address, token, status, sent_channel, attempts,
     sent_at, crm_engagement_id, updated_at)
   select $1, 'c' || g, g, 'c' || g || '@example.com', case when g % 50 = 0 then 'slack' else 'email' end,
     'c' || g || '@example.com', 'tok' || g, case when g % 997 = 0 then 'unconfirmed' else 'sent' end, 'email', 1,
     now() - interval '10 minutes' + (g * interval '9 milliseconds'), 'eng' || g, now()
   from generate_series(0, $2 - 1) g`,
  [ALERT, DELIVERIES],
);
await db.query(
  `insert into responses (alert_id, contact_id, kind, dedupe_key, body, received_at)
   select $1, 'c' || (g * 13 % $3), case when g % 10 = 0 then 'unsubscribe' else 'reply' end, 'rsp' || g,
     'Thanks, tell me more', now() - interval '5 minutes' + (g * interval '50 milliseconds')
   from generate_series(0, $2 - 1) g`,
  [ALERT, RESPONSES, DELIVERIES],
);
await db.query(
  `insert into approval_audit (alert_id, version, actor, action, outcome, source, at)
   values ($1, 1, 'approver@bank.example', 'approve', 'accepted', 'api', now() - interval '11 minutes')`,
  [ALERT],
);
await db.query(`analyze`);

const events = createAlertEventStore(db);
const pageMs: number[] = [];
let entries = 0;
let after: TrailCursor | null = null;
const started = performance.now();
for (;;) {
  const t0 = performance.now();
  const page = await events.trailPage(ALERT, after, PAGE);
  pageMs.push(performance.now() - t0);
  entries += page.entries.length;
  if (!page.next) break;
  after = page.next;
}
const allPagesMs = performance.now() - started;

// The CSV as the route streams it: a page of 1,000 at a time, each written out and dropped.
global.gc?.();
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
let bytes = Buffer.byteLength(csvHeader());
const csvStart = performance.now();
after = null;
for (;;) {
  const page = await events.trailPage(ALERT, after, 1000);
  bytes += Buffer.byteLength(page.entries.map(csvLine).join(''));
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  if (!page.next) break;
  after = page.next;
}
const csvMs = performance.now() - csvStart;
await db.close();

const sorted = [...pageMs].sort((a, b) => a - b);
const p95 = Math.round(percentile(sorted, 95) * 10) / 10;
report({
  bench: 'trail',
  metric: 'trail page (200 steps) p95 ms',
  value: p95,
  target: 300,
  pass: p95 < 300 && entries === DELIVERIES + RESPONSES + 2,
  details: {
    store: db.kind,
    deliveries: DELIVERIES,
    responses: RESPONSES,
    entries,
    pages: pageMs.length,
    'page p50 ms': Math.round(percentile(sorted, 50) * 10) / 10,
    'page p95 ms': p95,
    'page max ms': Math.round(sorted.at(-1)! * 10) / 10,
    'all pages ms': Math.round(allPagesMs),
    'csv ms': Math.round(csvMs),
    'csv MB': Math.round(bytes / 1e5) / 10,
    'csv RSS added MB': Math.round((rssPeak - rssBefore) / 1e5) / 10,
  },
});
