/**
 * bench:shared-rates — what sharing the HubSpot budget and the channel send rates through
 * PostgreSQL costs, against the in-process budget and pacer they replace, in the same run on the
 * same machine.
 *
 * CRM budget: calls that do nothing, through a budget of 250 slots (HubSpot's largest tier) on a
 * 1 ms window, so the window never holds a call back: what is left is bookkeeping. µs per call
 * at concurrency 1 (what a lone caller pays: one take and one release statement) and 16 (callers
 * waiting together share statements), and statements per call. A real HubSpot call takes
 * ~100 ms. Target: under 2 ms added to a lone call.
 *
 * Send pacer: sends that do nothing at a rate of 1,000 a second, one caller and sixteen (a
 * worker's dispatch lanes): the rate achieved against the rate asked, and statements per send;
 * and statements per send when the rate is far above what the callers send (2 ms sends at
 * 100,000 a second allowed), where callers do not queue for slots.
 *
 *   npm run bench:shared-rates            (DATABASE_URL, else a throw-away PostgreSQL)
 *   BENCH_CALLS=5000 npm run bench:shared-rates
 */
import { randomBytes } from 'node:crypto';
import { RateBudget, type CallFailure } from '../crm/rate-budget.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrations.js';
import { createRateSlotStore } from '../store/rate-slots.js';
import { createSendRateStore } from '../store/send-rates.js';
import { scratchPostgres } from '../testkit/postgres.js';
import { createRateLimiter, createSharedRateLimiter } from '../workflows/broadcast/rate-limiter.js';
import { report } from './report.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 3_000);
const TARGET_MS = 2;

const log = (line: string) => console.error(`[bench:shared-rates] ${line}`);

const pg = await scratchPostgres();
const db = await openDb({ databaseUrl: pg.url, schema: `bench_${randomBytes(5).toString('hex')}` });
await migrate(db);

/** Counts the statements a store makes. */
function counting(inner: Db): { db: Db; statements: () => number } {
  let n = 0;
  return {
    db: {
      ...inner,
      query: (sql, params, options) => {
        n++;
        return inner.query(sql, params, options);
      },
    },
    statements: () => n,
  };
}

/** CALLS acquisitions over `concurrency` loops: µs per call as each caller sees it (wall clock x concurrency / CALLS). */
async function measure(concurrency: number, once: () => Promise<void>): Promise<number> {
  let left = CALLS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await once();
    }),
  );
  return ((performance.now() - started) * 1000 * concurrency) / CALLS;
}

const budget = (slots?: ReturnType<typeof createRateSlotStore>) =>
  new RateBudget({
    perWindow: 250,
    windowMs: 1,
    searchPerSecond: 5,
    ...(slots ? { slots } : {}),
    describe: (e) => ({ message: String(e) }) as CallFailure,
  });
const noop = () => Promise.resolve();
const PACE = 1_000;

const figures: Record<string, number> = {};
for (const concurrency of [1, 16]) {
  const local = budget();
  figures[`crm_local_us_c${concurrency}`] = await measure(concurrency, () => local.run('standard', noop));
  const crmDb = counting(db);
  const shared = budget(createRateSlotStore(crmDb.db));
  await shared.run('standard', noop); // the pool's rows, once
  await new Promise((r) => setTimeout(r, 50));
  const before = crmDb.statements();
  figures[`crm_shared_us_c${concurrency}`] = await measure(concurrency, () => shared.run('standard', noop));
  // Releases still on their way are part of the cost.
  await new Promise((r) => setTimeout(r, 200));
  figures[`crm_shared_statements_per_call_c${concurrency}`] = (crmDb.statements() - before) / CALLS;

  const localUs = await measure(concurrency, createRateLimiter(PACE));
  figures[`send_local_rate_ratio_c${concurrency}`] = (1e6 * concurrency) / localUs / PACE;
  const rateDb = counting(db);
  const sharedUs = await measure(
    concurrency,
    createSharedRateLimiter(createSendRateStore(rateDb.db), `bench-${concurrency}`, PACE),
  );
  figures[`send_shared_rate_ratio_c${concurrency}`] = (1e6 * concurrency) / sharedUs / PACE;
  figures[`send_shared_statements_per_send_c${concurrency}`] = rateDb.statements() / CALLS;
  // A rate far above what the callers send (EMAIL_RATE_PER_SECOND=10000 as "no limit"): each send takes 2 ms.
  const idleDb = counting(db);
  const idlePace = createSharedRateLimiter(createSendRateStore(idleDb.db), `bench-idle-${concurrency}`, 100_000);
  await measure(concurrency, async () => {
    await idlePace();
    await new Promise((r) => setTimeout(r, 2));
  });
  figures[`send_shared_statements_per_send_unbinding_c${concurrency}`] = idleDb.statements() / CALLS;
  log(
    `concurrency ${concurrency}: crm ${figures[`crm_local_us_c${concurrency}`]!.toFixed(1)} -> ` +
      `${figures[`crm_shared_us_c${concurrency}`]!.toFixed(1)} µs/call; sends at ` +
      `${figures[`send_local_rate_ratio_c${concurrency}`]!.toFixed(3)} -> ` +
      `${figures[`send_shared_rate_ratio_c${concurrency}`]!.toFixed(3)} of ${PACE}/s`,
  );
}
await db.close();
await pg.stop();

const addedMs = (figures.crm_shared_us_c1! - figures.crm_local_us_c1!) / 1000;
report({
  bench: 'shared-rates',
  metric: 'crm_shared_added_ms_per_lone_call',
  value: Number(addedMs.toFixed(3)),
  target: TARGET_MS,
  pass: addedMs <= TARGET_MS,
  details: {
    calls: CALLS,
    crm_budget: '250 slots per 1 ms (never binding)',
    send_rate_per_s: PACE,
    ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Number(v.toFixed(2))])),
  },
});
process.exit(0);
