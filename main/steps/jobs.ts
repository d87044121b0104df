import type { Logger } from 'pino';
import type { AlertIntake } from '../../services/alert-intake.js';
import type { TouchIntake } from '../../services/touch-intake.js';
import type { TouchStore } from '../../store/touches.js';
import type { Cleanups } from './cleanups.js';

const SWEEP_EVERY_MS = 30_000;

/** Work stored while Temporal was unreachable (touches, alerts, responses) gets its workflow once it answers. */
export function startPeriodicJobs(
  deps: { touches: TouchStore; intake: TouchIntake; alertIntake: AlertIntake; logger: Logger },
  cleanups: Cleanups,
): void {
  every(SWEEP_EVERY_MS, cleanups, () =>
    deps.touches
      .listStalePending(60, 200)
      .then((ids) => Promise.all(ids.map((id) => deps.intake.startWorkflow(id))))
      .catch((error: Error) => deps.logger.warn({ err: error.message }, 'pending-touch sweep failed')),
  );
  every(SWEEP_EVERY_MS, cleanups, () =>
    deps.alertIntake.sweep().catch((error: Error) => deps.logger.warn({ err: error.message }, 'alert sweep failed')),
  );
}

function every(ms: number, cleanups: Cleanups, job: () => Promise<unknown>): void {
  const timer = setInterval(() => void job(), ms);
  timer.unref();
  cleanups.defer(async () => clearInterval(timer));
}
