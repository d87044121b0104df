import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { exclusively, periodicJob, runSingleton, type SingletonRun } from '../../../services/singleton-jobs.js';

/**
 * Leases as the store keeps them (store/leases.ts, tested against PostgreSQL in
 * test/integration/replicas/leases.test.ts): one holder per name until it expires. `down` makes
 * one holder's calls fail, as when its process loses the database.
 */
function leaseTable() {
  const rows = new Map<string, { holder: string; until: number }>();
  const down = new Set<string>();
  return {
    down,
    rows,
    async acquire(name: string, holder: string, ms: number) {
      if (down.has(holder)) throw new Error('connection terminated');
      const row = rows.get(name);
      if (row && row.holder !== holder && row.until > Date.now()) return false;
      rows.set(name, { holder, until: Date.now() + ms });
      return true;
    },
    async release(name: string, holder: string) {
      if (down.has(holder)) throw new Error('connection terminated');
      if (rows.get(name)?.holder === holder) rows.delete(name);
    },
  };
}

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A job that records when it runs, and fails the test if two copies ever run at once. */
function probe(running: { count: number; max: number; starts: string[] }, who: string) {
  let mine = false;
  return {
    start() {
      running.count++;
      running.max = Math.max(running.max, running.count);
      running.starts.push(who);
      mine = true;
    },
    async stop() {
      if (mine) running.count--;
      mine = false;
    },
  };
}

const runs: SingletonRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

describe('runSingleton', () => {
  it('runs the job in one of several processes', async () => {
    const leases = leaseTable();
    const running = { count: 0, max: 0, starts: [] as string[] };
    for (const who of ['a', 'b', 'c'])
      runs.push(runSingleton({ leases, holder: who, logger, leaseMs: 300 }, 'job', probe(running, who)));
    await sleep(800);
    expect(running.count).toBe(1);
    expect(running.max).toBe(1);
    expect(runs.filter((r) => r.holding())).toHaveLength(1);
  });

  it('a holder that stops cleanly gives the lease up: another takes over at its next try', async () => {
    const leases = leaseTable();
    const running = { count: 0, max: 0, starts: [] as string[] };
    const first = runSingleton({ leases, holder: 'a', logger, leaseMs: 3_000 }, 'job', probe(running, 'a'));
    await sleep(50);
    const second = runSingleton({ leases, holder: 'b', logger, leaseMs: 3_000 }, 'job', probe(running, 'b'));
    runs.push(second);
    expect(first.holding()).toBe(true);
    await first.stop();
    expect(running.count).toBe(0);
    // b asks every second (a third of the lease); the lease was released, so it need not wait for expiry.
    await sleep(1_300);
    expect(second.holding()).toBe(true);
    expect(running.starts).toEqual(['a', 'b']);
  });

  it('a holder that dies (no renewals, no release) is replaced once its lease has expired, not before', async () => {
    const leases = leaseTable();
    const running = { count: 0, max: 0, starts: [] as string[] };
    const first = runSingleton({ leases, holder: 'a', logger, leaseMs: 600 }, 'job', probe(running, 'a'));
    await sleep(50);
    runs.push(runSingleton({ leases, holder: 'b', logger, leaseMs: 600 }, 'job', probe(running, 'b')));
    // "Dies": its timers stop and its lease stays in the table as it was.
    const lastUntil = leases.rows.get('job')!.until;
    leases.down.add('a');
    void first.stop();
    await sleep(100);
    expect(leases.rows.get('job')?.holder).toBe('a');
    await sleep(900);
    expect(leases.rows.get('job')?.holder).toBe('b');
    expect(running.starts).toEqual(['a', 'b']);
    // Taken over after the expiry and within a renewal period of it.
    expect(leases.rows.get('job')!.until).toBeGreaterThan(lastUntil);
  });

  it('a holder that cannot renew stops its job before its lease can run out, so two never run together', async () => {
    const leases = leaseTable();
    const running = { count: 0, max: 0, starts: [] as string[] };
    const stoppedAt: number[] = [];
    const a = probe(running, 'a');
    runs.push(
      runSingleton({ leases, holder: 'a', logger, leaseMs: 600 }, 'job', {
        start: a.start,
        async stop() {
          stoppedAt.push(Date.now());
          await a.stop();
        },
      }),
    );
    await sleep(50);
    runs.push(runSingleton({ leases, holder: 'b', logger, leaseMs: 600 }, 'job', probe(running, 'b')));
    const expiry = leases.rows.get('job')!.until;
    leases.down.add('a'); // a lost the database but lives on
    await sleep(1_500);
    expect(stoppedAt).toHaveLength(1);
    expect(stoppedAt[0]!).toBeLessThanOrEqual(expiry);
    expect(running.starts).toEqual(['a', 'b']);
    expect(running.max).toBe(1);
  });
});

describe('exclusively', () => {
  it('runs one call per name at a time, across holders and within one', async () => {
    const leases = leaseTable();
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(30);
      inside--;
      return 'done';
    };
    const calls = ['a', 'a', 'b', 'c', 'b'].map((holder) =>
      exclusively({ leases, holder }, 'alert-1', work, { waitMs: 5_000, retryMs: 5 }),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.ran && r.value === 'done')).toBe(true);
    expect(most).toBe(1);
    expect(leases.rows.size).toBe(0);
  });

  it('gives up (ran: false) when another holds the name longer than it waits', async () => {
    const leases = leaseTable();
    await leases.acquire('alert-2', 'other', 10_000);
    const result = await exclusively({ leases, holder: 'me' }, 'alert-2', async () => 'never', { waitMs: 100 });
    expect(result).toEqual({ ran: false });
  });
});

describe('periodicJob', () => {
  it('runs from start to stop, one run at a time, and stop waits for the run in flight', async () => {
    let runsDone = 0;
    let inFlight = 0;
    const job = periodicJob(
      10,
      async () => {
        inFlight++;
        await sleep(20);
        inFlight--;
        runsDone++;
      },
      () => undefined,
    );
    void job.start();
    await sleep(150);
    await job.stop();
    expect(inFlight).toBe(0);
    const after = runsDone;
    expect(after).toBeGreaterThanOrEqual(3);
    await sleep(60);
    expect(runsDone).toBe(after);
  });
});
