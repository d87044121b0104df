/**
 * The frequency cap's per-contact claim in the store (claimCapAtSend), on PostgreSQL with two
 * connection pools, as two worker processes have, and on PGlite (one process). Two alerts
 * judging the same contact at once are judged one after the other, the second counting the
 * first; many claims at once in opposite orders end without a deadlock; a claim that ended in
 * a failed or cancelled send no longer counts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overCapAtSend, type CountedAtSend, type FrequencyCap } from '../../../domain/audience/frequency-cap.js';
import type { AudienceSummary } from '../../../domain/audience/summary.js';
import { SUPPRESSION_REASONS } from '../../../domain/audience/types.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { createAlertStore } from '../../../store/alerts.js';
import { openDb, type Db } from '../../../store/db.js';
import { createDeliveryStore, type DeliveryStore } from '../../../store/deliveries.js';
import { migrate } from '../../../store/migrations.js';
import { scratchPostgres } from '../../../testkit/postgres.js';
import { eventually } from '../../../testkit/rapport.js';
import { emailDelivery } from './support.js';

/** One "rates" alert a week per contact, as in issue 11; plenty overall. */
const RATES_ONCE: FrequencyCap = {
  maxPerWindow: 1000,
  windowHours: 1,
  perTopic: { rates: { maxPerWindow: 1, windowHours: 168 } },
};
const WINDOW_HOURS = 168;

let alertSeq = 0;
const contacts = (n: number, from = 1) => Array.from({ length: n }, (_, i) => String(from + i));

/** An alert with its ledger (every contact pending) and an audience summary, as resolution leaves them. */
async function alertFor(db: Db, topic: string, contactIds: string[]): Promise<string> {
  const id = `alr_capclaim${String(++alertSeq).padStart(4, '0')}${randomBytes(3).toString('hex')}`;
  await createAlertStore(db).insert(id, {
    ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic, lists: ['1'] }),
    channels: ['email' as const],
  });
  await createDeliveryStore(db).replaceAudience(
    id,
    contactIds.map((c) => emailDelivery(c, `c${c}@customer.example`, `${id}-${c}`)),
    [],
  );
  const summary: AudienceSummary = {
    lists: [{ id: '1', name: 'List 1', memberships: contactIds.length }],
    totalMemberships: contactIds.length,
    uniqueContacts: contactIds.length,
    duplicates: 0,
    deliveries: contactIds.length,
    channelMix: { email: contactIds.length, slack: 0, sms: 0 },
    suppressedByReason: Object.fromEntries(
      SUPPRESSION_REASONS.map((r) => [r, 0]),
    ) as AudienceSummary['suppressedByReason'],
    delayedByQuietHours: 0,
  };
  await createAlertStore(db).setSummary(id, summary);
  return id;
}

/**
 * claimCapAtSend as dispatch calls it (the pure rule of domain/), remembering what it was asked
 * to judge; `inside` runs in the transaction, contacts locked, before the verdict is written.
 */
function claim(
  deliveries: DeliveryStore,
  alertId: string,
  topic: string,
  contactIds: string[],
  cap: FrequencyCap = RATES_ONCE,
  inside?: () => Promise<void>,
) {
  const seen = { judgedIds: [] as string[], judged: [] as CountedAtSend[] };
  const result = deliveries.claimCapAtSend(alertId, contactIds, WINDOW_HOURS, async (ids, counted) => {
    seen.judgedIds = ids;
    seen.judged = counted;
    await inside?.();
    return overCapAtSend(ids, counted, { id: alertId, topic }, cap, new Date());
  });
  return Object.assign(seen, { result });
}

async function rowsOf(db: Db, alertId: string) {
  const { rows } = await db.query<{ contactId: string; status: string; admitted: boolean }>(
    `select contact_id as "contactId", status, cap_claimed_at is not null as admitted
     from deliveries where alert_id = $1 order by contact_id`,
    [alertId],
  );
  return rows;
}

async function capSuppressions(db: Db, alertId: string) {
  const { rows } = await db.query<{ contactId: string; detail: string }>(
    `select contact_id as "contactId", detail from alert_suppressions where alert_id = $1 and reason = 'FREQUENCY_CAP'
     order by contact_id`,
    [alertId],
  );
  return rows;
}

const backends: { name: 'postgres' | 'pglite'; open: () => Promise<{ a: Db; b: Db; close: () => Promise<void> }> }[] = [
  {
    name: 'postgres',
    open: async () => {
      const pg = await scratchPostgres();
      const schema = `capclaim_${randomBytes(5).toString('hex')}`;
      // Two pools on one schema: two worker processes as far as PostgreSQL can tell.
      const a = await openDb({ databaseUrl: pg.url, schema });
      await migrate(a);
      const b = await openDb({ databaseUrl: pg.url, schema });
      return {
        a,
        b,
        close: async () => {
          await a.query(`drop schema ${schema} cascade`);
          await a.close();
          await b.close();
          await pg.stop();
        },
      };
    },
  },
  {
    name: 'pglite',
    open: async () => {
      const db = await openDb({});
      await migrate(db);
      return { a: db, b: db, close: () => db.close() };
    },
  },
];

describe.each(backends)('the frequency cap claim at send time on $name', ({ name, open }) => {
  let a: Db;
  let b: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ a, b, close } = await open());
  });
  afterAll(async () => {
    await close?.();
  });

  it('two alerts claiming the same contacts at once: each contact is admitted by exactly one', async () => {
    const ids = contacts(40);
    const first = await alertFor(a, 'rates', ids);
    const second = await alertFor(a, 'Rates', ids);
    // From two connections, the second listing the contacts the other way round.
    const [one, two] = await Promise.all([
      claim(createDeliveryStore(a), first, 'rates', ids).result,
      claim(createDeliveryStore(b), second, 'Rates', [...ids].reverse()).result,
    ]);
    expect(one.admitted.length + two.admitted.length).toBe(40);
    expect([...one.admitted, ...two.admitted].sort()).toEqual([...ids].sort());
    expect([...one.refused, ...two.refused].sort()).toEqual([...ids].sort());

    // The ledger agrees: an admitted row is pending with its claim; a refused row left as a suppression.
    const [rowsOne, rowsTwo] = [await rowsOf(a, first), await rowsOf(a, second)];
    expect(rowsOne.map((r) => r.contactId).sort()).toEqual([...one.admitted].sort());
    expect(rowsTwo.map((r) => r.contactId).sort()).toEqual([...two.admitted].sort());
    for (const r of [...rowsOne, ...rowsTwo]) expect(r).toMatchObject({ status: 'pending', admitted: true });
    const suppressedTwo = await capSuppressions(a, second);
    expect(suppressedTwo.map((s) => s.contactId).sort()).toEqual([...two.refused].sort());
    for (const s of suppressedTwo) expect(s.detail).toMatch(/^at send time: .*topic cap is 1/);
    // The audience summary approvers saw still adds up.
    const alerts = createAlertStore(a);
    for (const [id, r] of [
      [first, one],
      [second, two],
    ] as const) {
      const summary = (await alerts.get(id))!.summary!;
      expect(summary.deliveries).toBe(r.admitted.length);
      expect(summary.suppressedByReason.FREQUENCY_CAP).toBe(r.refused.length);
      expect(summary.channelMix.email).toBe(r.admitted.length);
    }
  });

  it.runIf(name === 'postgres')(
    "the second alert's claim waits for the first to commit, then counts what it admitted",
    async () => {
      const ids = contacts(20, 1000);
      const first = await alertFor(a, 'rates', ids);
      const second = await alertFor(a, 'rates', ids);
      let commitFirst!: () => void;
      const firstMayCommit = new Promise<void>((r) => (commitFirst = r));
      let firstInside!: () => void;
      const firstIsInside = new Promise<void>((r) => (firstInside = r));
      // The first alert stops inside its transaction, its contacts locked, before it writes its verdict.
      const firstClaim = claim(createDeliveryStore(a), first, 'rates', ids, RATES_ONCE, async () => {
        firstInside();
        await firstMayCommit;
      });
      await firstIsInside;
      const secondClaim = claim(createDeliveryStore(b), second, 'rates', [...ids].reverse());
      const waiting = await eventually(async () => {
        const { rows } = await a.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query like '%contact_cap_claims%'`,
        );
        return rows[0]!.n > 0 ? rows[0]!.n : undefined;
      }, 10_000);
      expect(waiting).toBe(1);
      commitFirst();
      const [r1, r2] = await Promise.all([firstClaim.result, secondClaim.result]);
      expect(r1.admitted.sort()).toEqual([...ids].sort());
      expect(r2.admitted).toEqual([]);
      expect(r2.refused.sort()).toEqual([...ids].sort());
      // What the second judged: the first's admitted rows, not yet sent.
      expect(secondClaim.judged).toHaveLength(20);
      for (const c of secondClaim.judged) expect(c).toMatchObject({ alertId: first, sentAt: null, topic: 'rates' });
    },
  );

  it('many alerts and batches at once, in opposite orders: no deadlock, and a cap of 2 admits exactly 2 per contact', async () => {
    const ids = contacts(200, 5000);
    const twice: FrequencyCap = {
      maxPerWindow: 1000,
      windowHours: 1,
      perTopic: { fx: { maxPerWindow: 2, windowHours: 24 } },
    };
    const alerts = await Promise.all(Array.from({ length: 5 }, () => alertFor(a, 'fx', ids)));
    // Each alert in batches of 50 (as dispatch claims one batch at a time), from both connections, every
    // other alert walking the batches and the contacts within them backwards.
    const claims = alerts.flatMap((alertId, n) =>
      [0, 1, 2, 3].map((batch) => {
        const slice = ids.slice(batch * 50, (batch + 1) * 50);
        const order = n % 2 ? [...slice].reverse() : slice;
        return claim(createDeliveryStore(n % 2 ? b : a), alertId, 'fx', order, twice).result;
      }),
    );
    const results = await Promise.all(claims);
    const admittedPer = new Map<string, number>();
    for (const r of results) for (const c of r.admitted) admittedPer.set(c, (admittedPer.get(c) ?? 0) + 1);
    expect(admittedPer.size).toBe(200);
    expect([...new Set(admittedPer.values())]).toEqual([2]);
    expect(results.reduce((n, r) => n + r.refused.length, 0)).toBe(200 * 3);
  });

  it('a send that failed or was cancelled gives its place back; a sent or unconfirmed one keeps it', async () => {
    const ids = contacts(4, 9000); // 9000 sent, 9001 failed, 9002 cancelled, 9003 unconfirmed
    const first = await alertFor(a, 'rates', ids);
    const store = createDeliveryStore(a);
    expect((await claim(store, first, 'rates', ids).result).admitted).toHaveLength(4);
    for (const c of ids) expect(await store.finishAndClaim(first, null, c)).toBe(true);
    await store.finishAndClaim(first, { contactId: '9000', status: 'sent', channel: 'email', messageId: '<m>' }, null);
    await store.finishAndClaim(first, { contactId: '9001', status: 'failed', channel: 'email', error: '550' }, null);
    await store.release(first, '9002', 'connection refused');
    await store.cancelPending(first);
    expect(await store.markUnconfirmed(first, 0, 500)).toBe(1);

    const second = await alertFor(a, 'rates', ids);
    const r = await claim(createDeliveryStore(b), second, 'rates', ids).result;
    expect(r.admitted.sort()).toEqual(['9001', '9002']);
    expect(r.refused.sort()).toEqual(['9000', '9003']);
  });

  it('rows an earlier attempt admitted are not judged again; a row back to pending after a failed attempt keeps its place', async () => {
    const ids = contacts(3, 9100);
    const first = await alertFor(a, 'rates', ids);
    const store = createDeliveryStore(a);
    await claim(store, first, 'rates', ids).result;
    // A temporary failure: back to pending for the activity's retry, still admitted.
    expect(await store.finishAndClaim(first, null, '9100')).toBe(true);
    await store.release(first, '9100', 'connection refused');
    // Another alert is admitted meanwhile (under a looser cap, so the first one does not refuse it):
    const other = await alertFor(a, 'rates', ids);
    const loose: FrequencyCap = { maxPerWindow: 1000, windowHours: 1 };
    expect((await claim(createDeliveryStore(b), other, 'rates', ids, loose).result).admitted).toHaveLength(3);

    // The retry of the first alert's batch judges nobody again, so nobody is refused.
    const retry = claim(store, first, 'rates', ids);
    const again = await retry.result;
    expect(again).toMatchObject({ admitted: [], refused: [] });
    expect(retry.judgedIds).toEqual([]);
    expect((await rowsOf(a, first)).map((r) => r.admitted)).toEqual([true, true, true]);
  });
});
