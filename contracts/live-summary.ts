import { z } from 'zod';

/** One alert in the live summary, with the dashboard page that shows it. */
const summaryAlert = z.strictObject({
  id: z.string(),
  title: z.string(),
  requester: z.string(),
  /** The alert's page on the dashboard (/dashboard/alerts/{id}). */
  dashboardUrl: z.string(),
  /** The person asking is its requester (else an approver of its group). */
  mine: z.boolean(),
});

/**
 * GET /api/addin/summary, and Slack's App Home: the person's alerts in flight (requested by them,
 * or in an approver group they belong to), counted live from the delivery ledger.
 */
export const liveSummarySchema = z
  .strictObject({
    /** Waiting for a decision: the person's own requests, and those waiting for them. */
    pendingApproval: z.strictObject({
      count: z.int().min(0),
      /** Of `count`: the ones the person can decide (not their own). */
      forYou: z.int().min(0),
      alerts: z.array(summaryAlert),
    }),
    /** Approved and dispatching now: sent so far of the audience. */
    sending: z.strictObject({
      count: z.int().min(0),
      alerts: z.array(summaryAlert.extend({ sent: z.int().min(0), total: z.int().min(0) })),
    }),
    /** Dispatched (following up or completed) since midnight UTC. */
    doneToday: z.strictObject({
      count: z.int().min(0),
      sent: z.int().min(0),
      responded: z.int().min(0),
      /** responded / sent, 0..1; null when nothing was sent. */
      responseRate: z.number().min(0).max(1).nullable(),
    }),
    /** The dashboard (/dashboard). */
    dashboardUrl: z.string(),
    /** When the counts were read. */
    at: z.string(),
  })
  .meta({ id: 'LiveSummary' });

export type LiveSummary = z.infer<typeof liveSummarySchema>;
export type LiveSummaryAlert = z.infer<typeof summaryAlert>;
