/** Ledger counts by state, as the store reports them. */
export interface DeliveryCounts {
  total: number;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  bounced: number;
  unconfirmed: number;
  cancelled: number;
  /** Waiting for the contacts' digests (daily or weekly mode); counts stored before digests lack it. */
  digest?: number;
  responded: number;
  /**
   * Of `sent`: the email hard-bounced (during the SMTP conversation or later, by DSN) and the
   * fallback channel reached the contact. Counts stored before it existed lack it.
   */
  sentAfterBounce?: number;
}

export const emptyCounts = (): DeliveryCounts => ({
  total: 0,
  pending: 0,
  sending: 0,
  sent: 0,
  failed: 0,
  bounced: 0,
  unconfirmed: 0,
  cancelled: 0,
  digest: 0,
  responded: 0,
  sentAfterBounce: 0,
});

export interface FinalSummary {
  counts: DeliveryCounts;
  /** Percentages with one decimal, of the deliveries attempted (sent + failed + bounced + unconfirmed). */
  rates: { delivered: number; failed: number; bounced: number; unconfirmed: number; responded: number };
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);

/** The requester's closing numbers; rates are of attempts, so cancelled rows do not dilute them. */
export function finalSummary(counts: DeliveryCounts): FinalSummary {
  const attempted = counts.sent + counts.failed + counts.bounced + counts.unconfirmed;
  return {
    counts,
    rates: {
      delivered: pct(counts.sent, attempted),
      failed: pct(counts.failed, attempted),
      bounced: pct(counts.bounced, attempted),
      unconfirmed: pct(counts.unconfirmed, attempted),
      responded: pct(counts.responded, counts.sent),
    },
  };
}
