import { proxyActivities } from '@temporalio/workflow';
import type { MaintenanceActivities } from './activities.js';
import type { SweepReport } from './shared.js';

const { sweepStaleWork: sweep } = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '2 minutes',
  // The next scheduled run comes anyway: a few quick tries, then leave it to that one.
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

/**
 * Started by a Temporal Schedule (once per deployment, however many API processes there are):
 * work stored while Temporal was unreachable (touches, alerts, customer responses) gets its
 * workflow once Temporal answers again.
 */
export async function sweepStaleWork(): Promise<SweepReport> {
  return sweep();
}
