import type { SweepReport } from '../workflows/maintenance/shared.js';

/** Keys forgotten per sweep at most: a backlog (the first sweep after an upgrade) goes over a few minutes, in short deletes. */
export const PRUNED_PER_SWEEP = 20_000;

export interface IdempotencyPruning {
  /** Deletes completed keys older than `olderThanMs`, at most `limit`; returns how many (store/idempotency-ledger.ts). */
  prune(olderThanMs: number, limit: number): Promise<number>;
  /** CRM_IDEMPOTENCY_RETENTION_DAYS. */
  retentionDays: number;
}

/**
 * The maintenance sweep, then the CRM idempotency ledger's completed keys older than the
 * retention forgotten: a key is needed only while a write with it may still be retried (Temporal
 * retries a CRM write for minutes, a stored touch is swept within hours), and every alert adds a
 * key per recipient. Runs where the sweep runs: once per deployment, every minute.
 */
export function withIdempotencyPruning(
  sweep: () => Promise<SweepReport>,
  pruning: IdempotencyPruning,
): () => Promise<SweepReport> {
  return async () => {
    const report = await sweep();
    const idempotencyKeysPruned = await pruning.prune(pruning.retentionDays * 86_400_000, PRUNED_PER_SWEEP);
    return { ...report, idempotencyKeysPruned };
  };
}
