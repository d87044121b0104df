import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../store/db.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createOwnerDigestStore } from '../../../store/owner-digests.js';
import { createResponseStore } from '../../../store/responses.js';
import { testDb } from '../../../testkit/db.js';
import { alertRequest } from './support.js';

/**
 * The owner digest's rows on the real store (PGlite, or PostgreSQL with DATABASE_URL): who goes at
 * once, which window the rest join, and the claim that keeps a digest from going twice when the
 * activity that sends it is retried, or when the window's other responses ask for it too.
 */
let db: Db;
const ALERT = 'alr_01jd3v8z6q4m2k9x7c5b1n0p3r';
const OWNER = 'alice@bank.example';
const FIRST = 3;
const INTERVAL = 60_000;

beforeAll(async () => {
  db = await testDb();
  await createAlertStore(db).insert(ALERT, { ...alertRequest(), channels: ['email'] } as never);
});
afterAll(async () => {
  await db?.close();
});

async function respond(n: number): Promise<number[]> {
  const responses = createResponseStore(db);
  const ids: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const key = `${ALERT}:c${Math.random().toString(36).slice(2)}:interested`;
    const { row } = await responses.record({
      alertId: ALERT,
      contactId: key,
      kind: 'interested',
      dedupeKey: key,
      body: null,
    });
    ids.push(row.id);
  }
  return ids;
}

describe('owner digest rows', () => {
  it('the first three at once, the rest in one window; enrolment is idempotent and concurrent-safe', async () => {
    const store = createOwnerDigestStore(db);
    const ids = await respond(10);
    const now = new Date();
    const enrolled = await Promise.all(
      ids.map((responseId) => store.enrol({ responseId, alertId: ALERT, recipient: OWNER }, FIRST, INTERVAL, now)),
    );
    expect(enrolled.filter((e) => e.immediate)).toHaveLength(3);
    const windows = new Set(enrolled.filter((e) => !e.immediate).map((e) => e.dueAt));
    expect(windows.size).toBe(1);
    expect(Date.parse([...windows][0]!)).toBe(now.getTime() + INTERVAL);
    // A retried routing activity gets the same answer and adds no row.
    expect(await store.enrol({ responseId: ids[9]!, alertId: ALERT, recipient: OWNER }, FIRST, INTERVAL)).toEqual(
      enrolled[9],
    );
  });

  it('one claim per window: the others find it taken; a retry after the SMTP call began is unconfirmed, never resent', async () => {
    const store = createOwnerDigestStore(db);
    const waiting = (
      await db.query<{ id: string | number }>(
        `select response_id as id from owner_digest_items where alert_id = $1 and not immediate order by seq`,
        [ALERT],
      )
    ).rows.map((r) => Number(r.id));
    expect(waiting).toHaveLength(7);
    const claims = await Promise.all(waiting.map((id) => store.claim(id)));
    const sending = claims.filter((c) => c.state === 'send');
    expect(sending).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'taken')).toHaveLength(6);
    const claim = sending[0]!;
    if (claim.state !== 'send') throw new Error('unreachable');
    expect(claim.items).toHaveLength(7);
    const claimer = waiting[claims.indexOf(claim)]!;

    // The claimer's retry before the SMTP call: the same digest again, to send.
    expect(await store.claim(claimer)).toMatchObject({ state: 'send', digestId: claim.digestId });
    // The call began, then the worker died: its retry reports it unconfirmed and does not send.
    await store.markSending(claim.digestId);
    expect(await store.claim(claimer)).toEqual({ state: 'unconfirmed', digestId: claim.digestId, recipient: OWNER });
    expect(await store.claim(claimer)).toEqual({ state: 'taken' });
    expect(await store.pendingDue(claimer)).toBeNull();
    expect(await store.list(ALERT)).toEqual([expect.objectContaining({ state: 'unconfirmed', items: 7 })]);
  });

  it('a response after the window was claimed opens the next one, an interval after the last', async () => {
    const store = createOwnerDigestStore(db);
    const [late] = await respond(1);
    const [last] = await store.list(ALERT);
    const e = await store.enrol({ responseId: late!, alertId: ALERT, recipient: OWNER }, FIRST, INTERVAL, new Date());
    expect(e.immediate).toBe(false);
    expect(Date.parse(e.dueAt!)).toBeGreaterThanOrEqual(Date.parse(last!.dueAt) + INTERVAL);
    const claim = await store.claim(late!);
    expect(claim).toMatchObject({ state: 'send', items: [expect.objectContaining({ responseId: late })] });
    // A send refused before anything left: released, and the retry sends it.
    if (claim.state !== 'send') throw new Error('unreachable');
    await store.markSending(claim.digestId);
    await store.release(claim.digestId);
    expect(await store.claim(late!)).toMatchObject({ state: 'send', digestId: claim.digestId });
    await store.markSent(claim.digestId);
    expect(await store.claim(late!)).toEqual({ state: 'taken' });
  });
});
