/** What one sweep found and started again: workflows Temporal never got (it was down when the row was stored). */
export interface SweepReport {
  touches: number;
  alerts: number;
  responses: number;
  /** Completed CRM idempotency keys forgotten after their retention (services/ledger-retention.ts). */
  idempotencyKeysPruned?: number;
}

/**
 * How often the schedule sweeps. The sweep starts workflows for rows older than a minute that
 * have none, so a row stored while Temporal was down gets its workflow about two minutes after
 * Temporal answers again.
 */
export const SWEEP_EVERY_MS = 60_000;

/**
 * One schedule per task queue: deployments (and test files) that share a namespace with their
 * own task queue each sweep their own store.
 */
export const sweepScheduleId = (taskQueue: string) => `rapport-sweep-stale-work:${taskQueue}`;
