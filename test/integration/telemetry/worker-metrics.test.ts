import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { parseExposition } from '../../../testkit/prometheus.js';
import { startRapportProcess, type RapportProcess } from '../../../testkit/rapport-process.js';
import { freePort } from '../../../workflows/temporal/free-port.js';

/**
 * `npm run worker` has no HTTP face: with METRICS_PORT it serves its own /metrics (METRICS_TOKEN),
 * and with TEMPORAL_METRICS_BIND the Temporal SDK's series, as an operator's Prometheus scrapes them.
 */
const TOKEN = 'worker-metrics-test-token-0123456789';
const CRM_TOKEN = 'worker-metrics-crm-token';
let database: ScratchPostgres;
let schema: string;
let sandbox: HubSpotSandbox;
let dataDir: string;
let worker: RapportProcess | undefined;

beforeAll(async () => {
  database = await scratchPostgres();
  schema = `wmetrics_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: CRM_TOKEN });
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-worker-metrics-'));
});

afterAll(async () => {
  await worker?.stop(10_000);
  await sandbox?.close();
  if (database) {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    await database.stop();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run worker's metrics", () => {
  it('serves /metrics on METRICS_PORT behind the token, and the SDK series on TEMPORAL_METRICS_BIND', async () => {
    const url = new URL(database.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const metricsPort = await freePort();
    const temporalBind = `127.0.0.1:${await freePort()}`;
    worker = await startRapportProcess({
      role: 'worker',
      env: {
        DATABASE_URL: url.toString(),
        DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `wmetrics-${Date.now().toString(36)}`,
        HUBSPOT_ACCESS_TOKEN: CRM_TOKEN,
        HUBSPOT_BASE_PATH: sandbox.url,
        RAPPORT_SECRET: 'worker-metrics-secret-0123456789abcdef',
        HOST: '127.0.0.1',
        METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: TOKEN,
        TEMPORAL_METRICS_BIND: temporalBind,
      },
    });
    const base = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await fetch(base)).status).toBe(401);
    const res = await fetch(base, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const names = new Set(parseExposition(await res.text()).map((s) => s.name));
    expect(names.has('rapport_crm_budget_used_ratio')).toBe(true);
    expect(names.has('rapport_process_resident_memory_bytes')).toBe(true);

    const sdk = await fetch(`http://${temporalBind}/metrics`);
    expect(sdk.status).toBe(200);
    expect(await sdk.text()).toMatch(/^temporal_worker_start/m);
  });
});
