import type { DashboardAuth } from '../server/dashboard/auth-seam.js';
import type { DashboardDeps } from '../server/dashboard/routes.js';
import type { BroadcastServices } from '../services/broadcast-services.js';
import { createDashboardData } from '../services/dashboard.js';
import { createDashboardStore } from '../store/dashboard.js';
import type { Db } from '../store/db.js';

/**
 * The dashboard's parts (server/dashboard/): its data service over the same stores the API's
 * alert routes and the trail read, and the sign-in it sits behind. `stop` ends the live polls.
 */
export function dashboardDeps(
  db: Db,
  broadcast: Pick<BroadcastServices, 'alerts' | 'deliveries' | 'responses'>,
  auth: DashboardAuth,
): DashboardDeps & { stop(): void } {
  const data = createDashboardData({
    alerts: broadcast.alerts,
    deliveries: broadcast.deliveries,
    dashboard: createDashboardStore(db),
  });
  return { auth, data, deliveries: broadcast.deliveries, responses: broadcast.responses, stop: data.stop };
}
