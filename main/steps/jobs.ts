import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { runSingleton, type SingletonJob } from '../../services/singleton-jobs.js';
import type { Db } from '../../store/db.js';
import { createLeaseStore } from '../../store/leases.js';
import { SWEEP_EVERY_MS, sweepScheduleId } from '../../workflows/maintenance/shared.js';
import { sweepStaleWork } from '../../workflows/maintenance/workflows.js';
import { ensureSchedule } from '../../workflows/start.js';
import type { Cleanups } from './cleanups.js';

/** A scheduled run that no worker picks up ends after this, so the next one is not skipped for ever. */
const SWEEP_RUN_TIMEOUT_MS = 10 * 60_000;
/** Until the schedule exists (Temporal refused it at start-up), it is asked for again this often. */
const RETRY_SCHEDULE_MS = 30_000;

/**
 * The sweep of work Temporal missed runs from a Temporal Schedule (once per deployment, in a
 * worker), not from a timer in every API process. Each API process makes sure the schedule exists
 * at start-up; creating it twice is harmless (ensureSchedule). Temporal down at start-up: asked
 * again every 30 s in the background, start-up does not wait.
 */
export async function startSchedules(
  deps: { temporal: Client; taskQueue: string; logger: Logger },
  cleanups: Cleanups,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const ensure = async (): Promise<void> => {
    try {
      const outcome = await ensureSchedule(deps.temporal.schedule, sweepStaleWork, {
        scheduleId: sweepScheduleId(deps.taskQueue),
        taskQueue: deps.taskQueue,
        everyMs: SWEEP_EVERY_MS,
        runTimeoutMs: SWEEP_RUN_TIMEOUT_MS,
      });
      if (outcome !== 'unchanged') deps.logger.info({ schedule: sweepScheduleId(deps.taskQueue), outcome }, 'schedule');
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'sweep schedule not created yet; trying again');
      if (stopped) return;
      timer = setTimeout(() => void ensure(), RETRY_SCHEDULE_MS);
      timer.unref();
    }
  };
  cleanups.defer(async () => {
    stopped = true;
    clearTimeout(timer);
  });
  await ensure();
}

/**
 * Jobs that one process of the deployment runs for all, each under its lease in the store
 * (services/singleton-jobs.ts): every API process asks, one holds and runs it, another takes over
 * within JOB_LEASE_SECONDS of the holder's death. Stopped (and the leases given up) on stop.
 */
export function startSingletonJobs(
  deps: { db: Db; holder: string; logger: Logger; leaseMs: number },
  jobs: Record<string, SingletonJob>,
  cleanups: Cleanups,
): void {
  const leases = createLeaseStore(deps.db);
  for (const [name, job] of Object.entries(jobs)) {
    const run = runSingleton(
      { leases, holder: deps.holder, logger: deps.logger.child({ component: 'jobs' }), leaseMs: deps.leaseMs },
      name,
      job,
    );
    cleanups.defer(() => run.stop());
  }
}
