import type { SweepReport } from './shared.js';

export interface MaintenanceActivityDeps {
  /**
   * Starts the workflows of stored work that has none (services/stale-work.ts): each start is
   * idempotent by workflow id, so a sweep that overlaps a start, or runs twice, starts nothing twice.
   */
  sweep(): Promise<SweepReport>;
}

export function createMaintenanceActivities(deps: MaintenanceActivityDeps) {
  return {
    async sweepStaleWork(): Promise<SweepReport> {
      return deps.sweep();
    },
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
