import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../store/db.js';
import { createLeaseStore } from '../../../store/leases.js';
import { createSlackEventClaims, createSlackFollowUpStore } from '../../../store/slack-claims.js';
import { testDb } from '../../../testkit/db.js';

/** The SQL the singleton jobs and the Slack dedupe rest on, on PostgreSQL (DATABASE_URL) or PGlite. */
let db: Db;
beforeAll(async () => {
  db = await testDb();
});
afterAll(async () => {
  await db?.close();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases', () => {
  it('one holder at a time: renewals keep it, others wait for the expiry, then take over', async () => {
    const leases = createLeaseStore(db);
    expect(await leases.acquire('job-a', 'p1', 1_000)).toBe(true);
    const first = (await leases.get('job-a'))!;
    expect(await leases.acquire('job-a', 'p2', 1_000)).toBe(false);
    await sleep(300);
    expect(await leases.acquire('job-a', 'p1', 1_000)).toBe(true); // renewal
    const renewed = (await leases.get('job-a'))!;
    expect(renewed.acquiredAt).toBe(first.acquiredAt);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    await sleep(400);
    expect(await leases.acquire('job-a', 'p2', 1_000)).toBe(false); // renewed: not expired yet
    await sleep(700);
    expect(await leases.acquire('job-a', 'p2', 1_000)).toBe(true); // expired: taken over
    expect((await leases.get('job-a'))!.holder).toBe('p2');
    expect(await leases.acquire('job-a', 'p1', 1_000)).toBe(false);
  });

  it('twenty processes asking at the same moment: exactly one gets it', async () => {
    const leases = createLeaseStore(db);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.acquire('job-race', `p${i}`, 10_000)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect((await leases.get('job-race'))!.holder).toBe(`p${answers.indexOf(true)}`);
  });

  it('a release by its holder frees it at once; a release by anyone else changes nothing', async () => {
    const leases = createLeaseStore(db);
    await leases.acquire('job-r', 'p1', 60_000);
    await leases.release('job-r', 'p2');
    expect(await leases.acquire('job-r', 'p2', 60_000)).toBe(false);
    await leases.release('job-r', 'p1');
    expect(await leases.acquire('job-r', 'p2', 60_000)).toBe(true);
    expect((await leases.list()).find((l) => l.name === 'job-r')?.holder).toBe('p2');
  });
});

describe('Slack event claims', () => {
  it('the first delivery claims the event; others do not, answered or not, unless a claim was left unanswered', async () => {
    const claims = createSlackEventClaims(db);
    const answers = await Promise.all(['p1', 'p2', 'p3'].map((p) => claims.claim('Ev1', p, 3_000)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = ['p1', 'p2', 'p3'][answers.indexOf(true)]!;
    await claims.answered('Ev1', winner);
    await sleep(50);
    expect(await claims.claim('Ev1', 'p4', 1)).toBe(false); // answered: a duplicate, however old

    expect(await claims.claim('Ev2', 'p1', 3_000)).toBe(true);
    expect(await claims.claim('Ev2', 'p2', 1_000)).toBe(false); // p1 may still answer
    await sleep(1_100);
    expect(await claims.claim('Ev2', 'p2', 1_000)).toBe(true); // p1 never answered: taken over
    expect(await claims.claim('Ev2', 'p3', 1_000)).toBe(false);
  });

  it("a claim whose answer was not a 2xx is released, so Slack's retry acts; old claims are swept", async () => {
    const claims = createSlackEventClaims(db);
    expect(await claims.claim('Ev3', 'p1', 3_000)).toBe(true);
    await claims.release('Ev3', 'p1');
    expect(await claims.claim('Ev3', 'p2', 3_000)).toBe(true);
    await sleep(30);
    expect(await claims.sweep(10)).toBeGreaterThanOrEqual(1);
    expect(await claims.claim('Ev3', 'p3', 3_000)).toBe(true);
  });
});

describe('Slack follow-ups', () => {
  it('a request journalled twice while handled is one row; done clears its content', async () => {
    const followUps = createSlackFollowUpStore(db);
    const entry = { key: 'touch:V1', kind: 'touch', payload: { summary: 'Called Joe' } };
    const twice = await Promise.all([followUps.record(entry, 'p1', 60_000), followUps.record(entry, 'p2', 60_000)]);
    expect(twice.filter(Boolean)).toHaveLength(1);
    await followUps.done('touch:V1');
    expect(await followUps.get('touch:V1')).toEqual({ kind: 'touch', attempts: 1, done: true, lastError: null });
    const { rows } = await db.query<{ payload: unknown }>('select payload from slack_followups where key = $1', [
      'touch:V1',
    ]);
    expect(rows[0]!.payload).toBeNull();

    // Sent again once done (someone submitted it again): taken again, unless it was to be done once.
    expect(await followUps.record(entry, 'p3', 60_000)).toBe(true);
    expect(await followUps.record(entry, 'p4', 60_000)).toBe(false);
    const alert = { key: 'alert:V1', kind: 'alert', payload: { alertId: 'alr_1' }, once: true };
    expect(await followUps.record(alert, 'p1', 60_000)).toBe(true);
    await followUps.done('alert:V1');
    expect(await followUps.record({ ...alert, payload: { alertId: 'alr_2' } }, 'p2', 60_000)).toBe(false);
  });

  it('unfinished rows whose claim ran out go to one claimant, with their payload; failures wait, then give up', async () => {
    const followUps = createSlackFollowUpStore(db);
    await followUps.record({ key: 'alert:V2', kind: 'alert', payload: { alertId: 'alr_x' } }, 'dead', 1_000);
    expect(await followUps.claimExpired('p1', 60_000, 10)).toEqual([]);
    await sleep(1_100);
    const [p1, p2] = await Promise.all([
      followUps.claimExpired('p1', 60_000, 10),
      followUps.claimExpired('p2', 60_000, 10),
    ]);
    const claimed = [...p1, ...p2].filter((r) => r.key === 'alert:V2');
    expect(claimed).toEqual([{ key: 'alert:V2', kind: 'alert', payload: { alertId: 'alr_x' }, attempts: 2 }]);

    await followUps.failed('alert:V2', 'CRM down', 1_000, false);
    expect(await followUps.claimExpired('p1', 60_000, 10)).toEqual([]);
    await sleep(1_100);
    expect((await followUps.claimExpired('p1', 60_000, 10)).map((r) => r.attempts)).toEqual([3]);
    await followUps.failed('alert:V2', 'CRM still down', 0, true);
    expect(await followUps.get('alert:V2')).toMatchObject({ done: true, lastError: 'CRM still down' });
    await sleep(20);
    expect(await followUps.claimExpired('p1', 60_000, 10)).toEqual([]);
    expect(await followUps.sweep(10)).toBeGreaterThanOrEqual(1);
    expect(await followUps.get('alert:V2')).toBeNull();
  });
});
