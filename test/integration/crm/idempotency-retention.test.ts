import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdempotencyPruning } from '../../../services/ledger-retention.js';
import type { Db } from '../../../store/db.js';
import { createIdempotencyLedger } from '../../../store/idempotency-ledger.js';
import { testDb } from '../../../testkit/db.js';
import { createMaintenanceActivities } from '../../../workflows/maintenance/activities.js';

/**
 * The CRM idempotency ledger does not grow for ever: the maintenance sweep's activity forgets
 * completed keys older than CRM_IDEMPOTENCY_RETENTION_DAYS, keeps recent ones and uncertain
 * claims. The real ledger in this run's database (PostgreSQL with DATABASE_URL, else PGlite).
 */
let db: Db;
beforeAll(async () => {
  db = await testDb();
});
afterAll(async () => {
  await db?.close();
});

const DAY_MS = 86_400_000;
const nothingStale = async () => ({ touches: 0, alerts: 0, responses: 0 });

/** Moves a key's claim and completion `days` into the past. */
const age = (scope: string, key: string, days: number) =>
  db.query(
    `update crm_idempotency set claimed_at = now() - $3::int * interval '1 day',
       completed_at = case when completed_at is null then null else now() - $3::int * interval '1 day' end
     where scope = $1 and key = $2`,
    [scope, key, days],
  );

describe('CRM idempotency ledger retention', () => {
  it('the sweep forgets completed keys past the retention, keeps recent ones and uncertain claims', async () => {
    const ledger = createIdempotencyLedger(db);
    await ledger.claim('notes', ['old-1', 'old-2', 'recent', 'uncertain'], 60_000);
    await ledger.claim('emails', ['old-email'], 60_000);
    await ledger.complete('notes', [
      { key: 'old-1', crmId: '101' },
      { key: 'old-2', crmId: '102' },
      { key: 'recent', crmId: '103' },
    ]);
    await ledger.complete('emails', [{ key: 'old-email', crmId: '201' }]);
    await age('notes', 'old-1', 45);
    await age('notes', 'old-2', 31);
    await age('notes', 'recent', 29);
    await age('notes', 'uncertain', 90);
    await age('emails', 'old-email', 40);

    const activities = createMaintenanceActivities({
      sweep: withIdempotencyPruning(nothingStale, {
        prune: (ms, limit) => ledger.prune(ms, limit),
        retentionDays: 30,
      }),
    });
    const report = await activities.sweepStaleWork();
    expect(report).toEqual({ touches: 0, alerts: 0, responses: 0, idempotencyKeysPruned: 3 });

    expect([...(await ledger.known('notes', ['old-1', 'old-2', 'recent']))]).toEqual([['recent', '103']]);
    expect(await ledger.known('emails', ['old-email'])).toEqual(new Map());
    // The uncertain create is still a claim: a retry waits and looks instead of creating blindly.
    const again = await ledger.claim('notes', ['uncertain', 'old-1'], 60_000);
    expect(again.get('uncertain')?.state).toBe('pending');
    // A forgotten key is new again (no retry of a write lives this long).
    expect(again.get('old-1')?.state).toBe('claimed');

    // Nothing left past the retention: the next sweep deletes nothing.
    expect((await activities.sweepStaleWork()).idempotencyKeysPruned).toBe(0);
  });

  it('forgets the oldest first, at most `limit` per call', async () => {
    const ledger = createIdempotencyLedger(db);
    const keys = ['a', 'b', 'c', 'd'];
    await ledger.claim('calls', keys, 60_000);
    await ledger.complete(
      'calls',
      keys.map((key, i) => ({ key, crmId: String(300 + i) })),
    );
    for (const [i, key] of keys.entries()) await age('calls', key, 100 - i);
    expect(await ledger.prune(30 * DAY_MS, 3)).toBe(3);
    expect([...(await ledger.known('calls', keys)).keys()]).toEqual(['d']);
    expect(await ledger.prune(30 * DAY_MS, 3)).toBe(1);
  });
});
