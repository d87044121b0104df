/**
 * Where the CRM adapter records which idempotency key became which CRM record, so a retry never
 * needs the CRM's search index (which trails writes by seconds on HubSpot) to know what exists.
 *
 * A key is claimed ('pending') before the create is sent and completed with the CRM id once the
 * CRM confirmed it. A pending key with no id is an uncertain create: the request may have been
 * stored without its answer arriving. The adapter then waits out the index lag and looks.
 *
 * The port lives in crm/ (adapters import no store/); store/idempotency-ledger.ts keeps it in
 * PostgreSQL for every process, memoryLedger() below keeps it in one process (PGlite, tests).
 */

export type LedgerEntry =
  /** This call inserted the claim: nothing was ever sent for the key. */
  | { state: 'claimed'; attempt: number }
  /**
   * Claimed earlier, never confirmed: a create may or may not have been stored. Until `settlesInMs`
   * has passed an attempt may still be sending it (0 once the attempt saw its create fail).
   */
  | { state: 'pending'; attempt: number; settlesInMs: number }
  /** Created: the CRM's id. */
  | { state: 'done'; crmId: string };

export interface IdempotencyLedger {
  /**
   * Claims the keys not yet known (state 'claimed') and tells what it knows of the others. A claim
   * may be in flight for up to `inFlightMs` (the longest a create call can take, waits included).
   */
  claim(scope: string, keys: string[], inFlightMs: number): Promise<Map<string, LedgerEntry>>;
  /**
   * Takes over pending keys whose attempt is still the one given (compare-and-set), so two retries of
   * one uncertain create never both create it. Returns the keys taken, with their new attempt.
   */
  reclaim(scope: string, keys: { key: string; attempt: number }[], inFlightMs: number): Promise<Map<string, number>>;
  /** The create of these keys failed without an answer: nothing of it can commit after now. */
  settle(scope: string, keys: string[]): Promise<void>;
  /** The CRM confirmed these records. */
  complete(scope: string, done: { key: string; crmId: string }[]): Promise<void>;
  /** The CRM ids of the keys known to be created (read only: claims nothing). */
  known(scope: string, keys: string[]): Promise<Map<string, string>>;
  /** The CRM refused these for sure (a 207 error entry, a 4xx): nothing was stored, forget the claim. */
  release(scope: string, keys: string[]): Promise<void>;
}

/** One process's ledger: the store for PGlite and tests, where one process is all there is. */
export function memoryLedger(options: { maxKeys?: number; now?: () => number } = {}): IdempotencyLedger {
  const maxKeys = options.maxKeys ?? 200_000;
  const now = options.now ?? Date.now;
  const rows = new Map<string, { crmId: string | null; attempt: number; settlesAt: number }>();
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  return {
    async claim(scope, keys, inFlightMs) {
      const result = new Map<string, LedgerEntry>();
      for (const key of new Set(keys)) {
        const row = rows.get(id(scope, key));
        if (!row) {
          if (rows.size >= maxKeys) rows.delete(rows.keys().next().value as string);
          rows.set(id(scope, key), { crmId: null, attempt: 1, settlesAt: now() + inFlightMs });
          result.set(key, { state: 'claimed', attempt: 1 });
        } else if (row.crmId) result.set(key, { state: 'done', crmId: row.crmId });
        else
          result.set(key, { state: 'pending', attempt: row.attempt, settlesInMs: Math.max(0, row.settlesAt - now()) });
      }
      return result;
    },
    async reclaim(scope, keys, inFlightMs) {
      const taken = new Map<string, number>();
      for (const { key, attempt } of keys) {
        const row = rows.get(id(scope, key));
        if (!row || row.crmId || row.attempt !== attempt) continue;
        row.attempt++;
        row.settlesAt = now() + inFlightMs;
        taken.set(key, row.attempt);
      }
      return taken;
    },
    async complete(scope, done) {
      for (const { key, crmId } of done) {
        const row = rows.get(id(scope, key));
        rows.set(id(scope, key), { crmId, attempt: row?.attempt ?? 1, settlesAt: row?.settlesAt ?? now() });
      }
    },
    async settle(scope, keys) {
      for (const key of keys) {
        const row = rows.get(id(scope, key));
        if (row && !row.crmId) row.settlesAt = Math.min(row.settlesAt, now());
      }
    },
    async known(scope, keys) {
      const found = new Map<string, string>();
      for (const key of keys) {
        const crmId = rows.get(id(scope, key))?.crmId;
        if (crmId) found.set(key, crmId);
      }
      return found;
    },
    async release(scope, keys) {
      for (const key of keys) {
        const row = rows.get(id(scope, key));
        if (row && !row.crmId) rows.delete(id(scope, key));
      }
    },
  };
}
