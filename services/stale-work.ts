import type { TouchStore } from '../store/touches.js';
import type { SweepReport } from '../workflows/maintenance/shared.js';
import type { AlertIntake } from './alert-intake.js';
import type { TouchIntake } from './touch-intake.js';

/**
 * Work stored while Temporal was unreachable (touches, alerts, customer responses) gets its
 * workflow: rows older than a minute without one. Run by the sweep schedule's activity
 * (workflows/maintenance/), so once per deployment; every start is idempotent by workflow id.
 */
export function createStaleWorkSweep(deps: {
  touches: Pick<TouchStore, 'listStalePending'>;
  intake: Pick<TouchIntake, 'startWorkflow'>;
  /** Absent where alerts are off: touches only. */
  alertIntake?: Pick<AlertIntake, 'sweep'>;
}): () => Promise<SweepReport> {
  return async () => {
    const touches = await deps.touches.listStalePending(60, 200);
    await Promise.all(touches.map((id) => deps.intake.startWorkflow(id)));
    const { alerts, responses } = deps.alertIntake ? await deps.alertIntake.sweep() : { alerts: 0, responses: 0 };
    return { touches: touches.length, alerts, responses };
  };
}
