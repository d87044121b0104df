import type { Logger } from 'pino';
import type { LeaseStore } from '../store/leases.js';

/**
 * Jobs that must run in one process of a deployment at a time (the Slack message poller, the
 * recovery of Slack follow-ups), whichever API processes share the database: each process asks
 * for the job's lease every third of the lease time; the one that holds it runs the job and
 * renews it. A holder that cannot renew (it lost the database) stops the job before its lease
 * can have run out, so two processes never run it together; a holder that dies simply stops
 * renewing, and another process takes over once the lease has expired.
 */
export interface SingletonJob {
  /** This process took the lease: start working. */
  start(): void | Promise<void>;
  /** The lease is lost or the process stops: stop, and resolve once nothing runs any more. */
  stop(): Promise<void>;
}

export interface SingletonDeps {
  leases: Pick<LeaseStore, 'acquire' | 'release'>;
  /** This process (processHolder()). */
  holder: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** How long a lease lasts without renewal; takeover after a holder dies takes up to this long. */
  leaseMs: number;
  now?: () => number;
}

export interface SingletonRun {
  /** This process runs the job now. */
  holding(): boolean;
  /** Stops the job and gives the lease up, so another process takes over at its next try. */
  stop(): Promise<void>;
}

/** Runs `job` while this process holds the lease `name`. */
export function runSingleton(deps: SingletonDeps, name: string, job: SingletonJob): SingletonRun {
  const now = deps.now ?? (() => performance.now());
  const everyMs = Math.max(50, Math.floor(deps.leaseMs / 3));
  // Stop before the lease can have expired: renewals that fail this long mean it may be someone else's now.
  const giveUpAfterMs = Math.floor((deps.leaseMs * 2) / 3);
  let holding = false;
  let stopped = false;
  let lastRenewed = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let tick: Promise<void> | undefined;

  async function lose(why: string) {
    clearTimeout(watchdog);
    if (!holding) return;
    holding = false;
    deps.logger.warn({ job: name, why }, 'singleton job stopped here');
    await job.stop().catch((error: Error) => deps.logger.warn({ job: name, err: error.message }, 'job stop failed'));
  }

  async function once() {
    const asked = now();
    let held: boolean;
    try {
      held = await deps.leases.acquire(name, deps.holder, deps.leaseMs);
    } catch (error) {
      if (holding && now() - lastRenewed >= giveUpAfterMs) await lose(`lease not renewed: ${(error as Error).message}`);
      return;
    }
    if (stopped) {
      if (held) await deps.leases.release(name, deps.holder).catch(() => undefined);
      return;
    }
    if (!held) {
      await lose('another process holds the lease');
      return;
    }
    // Counted from when the renewal was asked: the lease runs from some moment after that.
    lastRenewed = asked;
    // The give-up moment gets its own timer: waiting for the next renewal to fail would stop the job
    // only a tick later, which a busy event loop can push past the lease's expiry.
    clearTimeout(watchdog);
    watchdog = setTimeout(
      () => {
        if (holding && now() - lastRenewed >= giveUpAfterMs - 1) void lose('lease not renewed in time');
      },
      Math.max(0, giveUpAfterMs - (now() - asked)),
    );
    watchdog.unref();
    if (holding) return;
    holding = true;
    deps.logger.info({ job: name }, 'singleton job runs in this process');
    try {
      await job.start();
    } catch (error) {
      deps.logger.warn({ job: name, err: (error as Error).message }, 'singleton job failed to start');
      await lose('start failed');
      await deps.leases.release(name, deps.holder).catch(() => undefined);
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      tick = once().finally(() => {
        tick = undefined;
        schedule();
      });
    }, everyMs);
    timer.unref();
  }

  tick = once().finally(() => {
    tick = undefined;
    schedule();
  });

  return {
    holding: () => holding,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(watchdog);
      await tick;
      if (holding) {
        holding = false;
        await job.stop().catch(() => undefined);
        await deps.leases.release(name, deps.holder).catch(() => undefined);
      }
    },
  };
}

/** A job that runs `work` every `everyMs` (from the end of one run to the start of the next) while it is started. */
export function periodicJob(
  everyMs: number,
  work: () => Promise<unknown>,
  onError: (error: Error) => void,
): SingletonJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let started = false;
  const run = () => {
    running = work()
      .then(
        () => undefined,
        (error: Error) => onError(error),
      )
      .finally(() => {
        running = undefined;
        if (started) {
          timer = setTimeout(run, everyMs);
          timer.unref();
        }
      });
  };
  return {
    start() {
      if (started) return;
      started = true;
      run();
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      await running;
    },
  };
}

let calls = 0;

/**
 * Runs `work` while holding the lease `name` (short: one alert's Slack messages), so two
 * processes never do it at the same time. Waits up to `waitMs` for another holder to finish;
 * answers `ran: false` when it does not. The lease is renewed while the work runs and released after.
 */
export async function exclusively<T>(
  deps: Pick<SingletonDeps, 'leases' | 'holder'>,
  name: string,
  work: () => Promise<T>,
  options: { leaseMs?: number; waitMs?: number; retryMs?: number } = {},
): Promise<{ ran: true; value: T } | { ran: false }> {
  const leaseMs = options.leaseMs ?? 30_000;
  // One holder per call: two calls of this process for the same name must not share a lease either.
  const holder = `${deps.holder}#${++calls}`;
  const deadline = Date.now() + (options.waitMs ?? 3_000);
  while (!(await deps.leases.acquire(name, holder, leaseMs))) {
    if (Date.now() >= deadline) return { ran: false };
    await new Promise((r) => setTimeout(r, options.retryMs ?? 100));
  }
  const renew = setInterval(
    () => void deps.leases.acquire(name, holder, leaseMs).catch(() => undefined),
    Math.floor(leaseMs / 3),
  );
  renew.unref();
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(renew);
    await deps.leases.release(name, holder).catch(() => undefined);
  }
}
