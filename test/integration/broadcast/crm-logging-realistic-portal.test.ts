import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotCrm } from '../../../crm/hubspot/index.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { CRM_SCHEMA } from '../../../main/crm-schema.js';
import {
  seedBenchLists,
  startHubSpotSandbox,
  type HubSpotSandbox,
  type RealismSpec,
} from '../../../sandbox/hubspot/index.js';
import { createAlertStore } from '../../../store/alerts.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createIdempotencyLedger } from '../../../store/idempotency-ledger.js';
import { testDb } from '../../../testkit/db.js';
import { createCrmLoggingActivities } from '../../../workflows/broadcast/activities/crm-logging.js';
import { emailDelivery } from './support.js';

/**
 * A 5,000-recipient alert's timeline logging on a portal that behaves as HubSpot can: search 5 s
 * behind writes, one create answer in ten lost after it committed (and, the second time, custom
 * properties refused on engagements). Exactly one engagement per recipient, counted at the sandbox.
 *
 * The smallest honest path: the workflow's own activity that writes an alert's engagements
 * (logBatchToCrm, the real code, retried with rising attempt numbers as Temporal retries it) over
 * the deliveries table as a dispatch leaves it, with the real adapter, the PostgreSQL/PGlite
 * ledger and @hubspot/api-client. Resolving and mailing 5,000 recipients through the whole stack
 * would add minutes of work that writes nothing to the CRM timeline.
 */
const RECIPIENTS = 5_000;
const BATCH_SIZE = 500;
const TOKEN = 'crm-logging-realistic-token';

let sandbox: HubSpotSandbox | undefined;
let db: Db | undefined;
afterEach(async () => {
  await sandbox?.close();
  await db?.close();
  sandbox = undefined;
  db = undefined;
});

async function logAlert(realism: RealismSpec) {
  sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: TOKEN,
    rateLimit: { perTenSeconds: 1_000, searchPerSecond: 20 },
    realism,
  });
  seedBenchLists(sandbox.state(), { memberships: RECIPIENTS, lists: 1, overlap: 0 });
  const contactIds = sandbox
    .state()
    .lists.find((l) => l.listId === '9001')!
    .members.map((m) => m.recordId);
  expect(contactIds).toHaveLength(RECIPIENTS);
  db = await testDb();
  const crm = createHubSpotCrm({
    accessToken: TOKEN,
    basePath: sandbox.url,
    rateLimitPerTenSeconds: 1_000,
    searchPerSecond: 20,
    idempotencyLedger: createIdempotencyLedger(db),
    searchLagMs: 5_000,
  });
  await crm.ensureSchema(CRM_SCHEMA);

  const alerts = createAlertStore(db);
  const deliveries = createDeliveryStore(db);
  const alert = await alerts.insert(`alr_01jrealistic${Date.now().toString(36)}`, {
    ...alertRequestSchema.parse({
      requester: 'a@bank.example',
      title: 'Rates',
      body: 'B',
      topic: 'rates',
      lists: ['9001'],
    }),
    channels: ['email' as const],
  });
  await deliveries.replaceAudience(
    alert.id,
    contactIds.map((id, i) => emailDelivery(id, `c${id}@bench.example`, `tok${i}`)),
    [],
  );
  // The ledger as a dispatch leaves it: every row sent.
  await db.query(
    `update deliveries set status = 'sent', sent_channel = channel, sent_at = now(), attempts = 1 where alert_id = $1`,
    [alert.id],
  );

  const activities = createCrmLoggingActivities({ crm, alerts, deliveries });
  const batches = Math.ceil(RECIPIENTS / BATCH_SIZE);
  let retries = 0;
  let next = 0;
  // Four batches at once, as the workflow runs them; a failed activity is run again with the next attempt number.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches) {
        const batch = next++;
        for (let attempt = 1; ; attempt++) {
          if (attempt > 30) throw new Error(`batch ${batch} still failing after 30 attempts`);
          try {
            await new MockActivityEnvironment({ attempt }).run(activities.logBatchToCrm, alert.id, batch, BATCH_SIZE);
            break;
          } catch (error) {
            if ((error as { retryable?: boolean }).retryable !== true) throw error;
            retries++;
          }
        }
      }
    }),
  );

  const { rows } = await db.query<{ logged: number; errors: number }>(
    `select count(crm_logged_at)::int as logged, count(crm_log_error)::int as errors from deliveries where alert_id = $1`,
    [alert.id],
  );
  expect(rows[0]).toEqual({ logged: RECIPIENTS, errors: 0 });

  const counts = new Map<string, number>();
  for (const record of sandbox.records('emails')) {
    const p = record.properties;
    const key = p.rapport_idempotency_key ?? /\[rapport ref ([^\]\s]+)\]/.exec(p.hs_email_text ?? '')?.[1];
    if (key?.startsWith(`${alert.id}:`)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const perRecipient = contactIds.map((id) => counts.get(`${alert.id}:${id}`) ?? 0);
  expect(perRecipient.filter((n) => n !== 1)).toEqual([]);
  expect(sandbox.stats().engagementsCreated).toBe(RECIPIENTS);
  // Answers were really lost, and the activity retried.
  expect(sandbox.stats().byStatus['502'] ?? 0).toBeGreaterThan(0);
  expect(retries).toBeGreaterThan(0);
}

describe('a 5,000-recipient alert logged on a portal with a lagging index and lost create answers', () => {
  it('5 s search lag, 10% of create answers lost: one engagement per recipient', async () => {
    await logAlert({ searchLagMs: 5_000, lostCreateResponseRate: 0.1, seed: 31 });
  }, 300_000);

  it('the same with custom properties refused on engagements', async () => {
    await logAlert({
      searchLagMs: 5_000,
      lostCreateResponseRate: 0.1,
      refuseCustomPropertiesOn: ['notes', 'emails', 'tasks'],
      seed: 32,
    });
    expect(sandbox!.records('emails').some((e) => e.properties.rapport_idempotency_key !== undefined)).toBe(false);
  }, 300_000);
});
