/**
 * One HubSpot budget for the portal, shared by every process through PostgreSQL.
 *
 * Real parts: PostgreSQL (DATABASE_URL, else a throw-away cluster), the HubSpot sandbox as the
 * portal (one budget for every caller, 429 WITHOUT Retry-After over it, every request logged),
 * @hubspot/api-client through the adapter, budgets built by main/ exactly as the API process
 * (startCrm) and the workers (hubspotBudget) build them.
 *
 * The load runs in three real child processes (testkit/crm-load.ts), each with its own budget,
 * pool and event loop, so nothing in one process can help another keep count: the database is
 * all they share. The pause test uses two budgets on separate connections in this process: it
 * is about what the database holds, which separate processes would not change.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../../config/env.js';
import { createHubSpotCrm } from '../../../crm/hubspot/index.js';
import { hubspotBudget, startCrm } from '../../../main/steps/crm.js';
import { Cleanups } from '../../../main/steps/cleanups.js';
import { startHubSpotSandbox, type SandboxRequest } from '../../../sandbox/hubspot/index.js';
import { openDb, type Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrations.js';
import { startCrmLoad, type CrmLoadResult } from '../../../testkit/crm-load-child.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { eventually, type Sandbox } from '../../../testkit/rapport.js';

const TOKEN = 'shared-budget-token';
/** The portal's budget per 10 s: small, so three processes fill it within seconds. */
const BUDGET = 40;
const RESERVE = 0.25; // 10 of the 40 for people; background may use 30
const BACKGROUND_SHARE = BUDGET - Math.ceil(BUDGET * RESERVE);
const LOAD_MS = 24_000;
/** The interactive read's route: nothing in the background load uses it. */
const INTERACTIVE_ROUTE = 'GET /crm/v3/objects/contacts/:id';

const log = (line: string) => console.log(`[shared-budget] ${line}`);

let pg: ScratchPostgres;
let schema: string;
let db: Db;
let sandbox: Sandbox;
let dataDir: string;
const cleanups = new Cleanups(() => undefined);

const envVars = {
  LOG_LEVEL: 'silent',
  HUBSPOT_RATE_LIMIT: String(BUDGET),
  HUBSPOT_INTERACTIVE_RESERVE: String(RESERVE),
};

/** The most requests in any window of `windowMs` (the busiest window begins at a request). */
function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

beforeAll(async () => {
  pg = await scratchPostgres();
  schema = `budget_${randomBytes(5).toString('hex')}`;
  db = await openDb({ databaseUrl: pg.url, schema });
  await migrate(db);
  sandbox = await startHubSpotSandbox({
    seed: true,
    accessToken: TOKEN,
    rateLimit: { perTenSeconds: BUDGET, searchPerSecond: 5, retryAfter: false },
    logRequests: true,
  });
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-budget-'));
});

afterAll(async () => {
  await cleanups.run();
  await db?.close();
  await pg?.stop();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the portal budget shared by every process', () => {
  it(
    'keeps three saturating processes within the budget with no 429, and serves people from their reserve',
    { timeout: 180_000 },
    async () => {
      // The API process, wired as npm start wires it: a background adapter and an interactive one on one budget.
      const api = await startCrm(loadEnv(envVars), pino({ level: 'silent' }), dataDir, db, cleanups, {
        basePath: sandbox.url,
        token: TOKEN,
      });
      const seeded = sandbox.records('contacts').map((c) => c.id);
      const contactIds = seeded.slice(0, 40);
      const loads = [1, 2, 3].map(() =>
        startCrmLoad(
          {
            databaseUrl: pg.url,
            schema,
            crmUrl: sandbox.url,
            crmToken: TOKEN,
            contactIds,
            concurrency: 4,
            durationMs: LOAD_MS,
          },
          envVars,
        ),
      );
      await Promise.all(loads.map((l) => Promise.race([l.ready, l.done])));
      const loadStarted = Date.now();
      log(`3 processes x 4 lanes logging notes for ${LOAD_MS / 1000} s on a budget of ${BUDGET} / 10 s`);

      // Once background work has filled its share of a window, people ask for contacts now and then.
      await new Promise((r) => setTimeout(r, 12_000));
      const reads: { asked: number; answered: number; name: string | null }[] = [];
      for (const id of seeded.slice(100, 105)) {
        const asked = Date.now();
        const found = await api.interactiveCrm.getContact(id);
        reads.push({ asked, answered: Date.now(), name: found?.firstName ?? null });
        await new Promise((r) => setTimeout(r, 1_500));
      }
      const results: CrmLoadResult[] = await Promise.all(loads.map((l) => l.done));
      log(`notes logged per process: ${results.map((r) => r.notes).join(', ')}`);

      // Not one 429, anywhere: the sandbox enforced the portal's budget on every caller together.
      const requests = sandbox.requests();
      const byStatus = requests.reduce<Record<number, number>>(
        (m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }),
        {},
      );
      log(
        `sandbox saw ${requests.length} requests ${JSON.stringify(byStatus)}; peak ${sandbox.stats().peakPerTenSeconds} / 10 s`,
      );
      expect(sandbox.stats().rateLimited).toBe(0);
      for (const r of results) {
        expect(r.failures).toEqual([]);
        expect(r.stats.rateLimited).toBe(0);
        expect(r.notes).toBeGreaterThan(0);
      }
      // Every request counted at the sandbox, searches included, within the budget in every 10 s window.
      const times = (rs: SandboxRequest[]) => rs.map((r) => r.at);
      expect(peak(times(requests), 10_000)).toBeLessThanOrEqual(BUDGET);
      const searches = requests.filter((r) => r.route.endsWith('/search'));
      expect(searches.length).toBeGreaterThan(0);
      expect(peak(times(searches), 1_000)).toBeLessThanOrEqual(5);

      // Background work saturated its share and never took the reserve...
      const background = requests.filter((r) => r.route !== INTERACTIVE_ROUTE && r.at >= loadStarted);
      const backgroundPeak = peak(times(background), 10_000);
      log(`background peak ${backgroundPeak} / 10 s (share ${BACKGROUND_SHARE})`);
      expect(backgroundPeak).toBeLessThanOrEqual(BACKGROUND_SHARE);
      expect(backgroundPeak).toBeGreaterThanOrEqual(BACKGROUND_SHARE - 2);
      // ...so each person's read was served within the window, not starved behind it.
      log(`interactive reads answered in ${reads.map((r) => r.answered - r.asked).join(', ')} ms`);
      for (const read of reads) {
        expect(read.name).not.toBeNull();
        expect(read.answered - read.asked).toBeLessThan(10_000);
      }
      expect(requests.filter((r) => r.route === INTERACTIVE_ROUTE && r.at >= loadStarted)).toHaveLength(reads.length);
    },
  );

  it('pauses every process after a 429 without Retry-After', { timeout: 60_000 }, async () => {
    await new Promise((r) => setTimeout(r, 10_500)); // the first test's window has passed
    const env = loadEnv(envVars);
    const dbA = await openDb({ databaseUrl: pg.url, schema });
    const dbB = await openDb({ databaseUrl: pg.url, schema });
    try {
      const adapter = (d: Db) =>
        createHubSpotCrm({
          accessToken: TOKEN,
          basePath: sandbox.url,
          budget: hubspotBudget(env, d),
          traffic: 'interactive',
        });
      const a = adapter(dbA);
      const b = adapter(dbB);
      const [joe, maria] = sandbox.records('contacts').map((c) => c.id);
      const before = sandbox.requests().length;
      sandbox.faults.set({ status: 429, omitRetryAfter: true, times: 1 });
      const first = a.getContact(joe!);
      // A's 429 is stored as a pause for everyone (the default 1 s: HubSpot gave no Retry-After).
      await eventually(
        async () => ((await db.query('select 1 from rate_pauses')).rows.length > 0 ? true : undefined),
        5_000,
        5,
      );
      expect(await b.getContact(maria!)).not.toBeNull();
      expect(await first).not.toBeNull();
      const [limited, ...after] = sandbox.requests().slice(before);
      expect(limited!.status).toBe(429);
      expect(after.map((r) => r.status)).toEqual([200, 200]);
      // Neither process called again before the pause was over.
      for (const r of after) expect(r.at - limited!.at).toBeGreaterThanOrEqual(1_000 - 5);
      expect(a.stats()).toMatchObject({ rateLimited: 1, retried: 1 });
      expect(b.stats()).toMatchObject({ rateLimited: 0 });
    } finally {
      await dbA.close();
      await dbB.close();
    }
  });
});
