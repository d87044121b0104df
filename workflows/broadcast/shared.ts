import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionKind } from '../../domain/broadcast/alert-request.js';
import type { Decision } from '../../domain/broadcast/decision-rules.js';
import type { DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import type { BroadcastPhase } from '../../domain/vocabulary/index.js';

/** Only ids, timings and the approver group travel in payloads; recipients stay in the ledger. */
export interface BroadcastInput {
  alertId: string;
  requester: string;
  /**
   * The requester's person id: four eyes and revisions judge it, not the email. Absent: a service
   * principal requested the alert, or it was started before people were judged by id.
   */
  requesterId?: string;
  /** Members of the alert's approver group, lower-cased (a handful, not an audience). */
  approvers: string[];
  reminderAfterMs: number;
  expiryAfterMs: number;
  responseWindowMs: number;
  /** Recipients per dispatch activity. */
  batchSize: number;
  /** History events after which a dispatch continues as new (Temporal warns at 10,240). */
  historyBudget: number;
  /** Dispatch activities in flight at once. */
  parallelBatches: number;
  /**
   * CRM logging activities in flight at once (unset, as in runs started before it existed:
   * parallelBatches). More than dispatch's: each logging activity waits for the 207 failures of its
   * request to ride in another's, and with few in flight they end up in a small request of their own.
   */
  logParallelBatches?: number;
  /** ISO times from the request's send window. */
  notBefore?: string;
  notAfter?: string;
  /** Set when the run continued as new in the middle of dispatch; the ledger says what is left. */
  resume?: { version: number; batches: number };
  /** The run was started with Rapport's search attributes (registered on the server): it upserts its status. */
  searchAttributes?: boolean;
  /** The alert's topic, when requested, let approvers mark it urgent; unset (older runs): it did not. */
  urgentAllowed?: boolean;
}

export interface BroadcastProgress {
  alertId: string;
  phase: BroadcastPhase;
  version: number;
  /** Batches of the whole ledger, and of the current pass done so far. */
  batches: number;
  batchesDone: number;
  counts: DeliveryCounts | null;
  cancelRequested: boolean;
}

export interface BroadcastResult {
  phase: BroadcastPhase;
  counts: DeliveryCounts | null;
}

export interface DecisionResult {
  decision: DecisionKind;
  version: number;
  approver: string;
}

export interface Revision {
  requester: string;
  /** The reviser's person id; absent on revisions from before ids (then judged by email). */
  requesterId?: string;
  title: string;
  body: string;
  comment?: string;
}

/** The approver's decision; its validator (four eyes, group, state, once) rejects before history records anything. */
export const decideUpdate = defineUpdate<DecisionResult, [Decision]>('decide');
/** The requester's revised version after "request changes"; it re-enters approval. */
export const reviseUpdate = defineUpdate<{ version: number }, [Revision]>('revise');
export const progressQuery = defineQuery<BroadcastProgress>('progress');
/** Stops further sends; what went out stays recorded. At-least-once: the handler is idempotent. */
export const cancelSignal = defineSignal<[{ by: string; reason?: string }]>('cancel');

/**
 * Application failure types the decision validator raises, and the decide handler when it could
 * not record a decision (VALIDATION: the store cannot hold it; UNAVAILABLE: the store did not
 * answer); the API maps them to HTTP statuses.
 */
export const DECISION_REFUSALS = ['FORBIDDEN', 'CONFLICT', 'GONE', 'VALIDATION', 'UNAVAILABLE'] as const;

/** recordDecision's failure for a decision the store can never hold; not retried. */
export const DECISION_UNRECORDABLE = 'DECISION_UNRECORDABLE';

/**
 * Patch id: an approved alert is held until its topic's next announced slot in each contact's time
 * zone (unless urgent), and each dispatch pass visits only batches with rows due now.
 */
export const ANNOUNCED_SLOTS = 'announced-slots';

/** Patch id: a response beyond an owner's first few waits for the owner's digest (activities/owner-digest.ts). */
export const OWNER_DIGESTS = 'owner-digests';

/**
 * Patch id: rows of contacts who chose a daily or weekly digest for the alert's topic wait for it
 * (status 'digest'); the alert starts each digest slot's run and waits for its rows before the follow-up.
 */
export const CUSTOMER_DIGESTS = 'customer-digests';

/**
 * Patch id: a digest run's next page goes out while the CRM log of earlier pages is still running
 * (a new log starts when the last one ended). Before, each page waited for the previous page's log,
 * so a log stranded on a killed worker (2 minutes to its heartbeat timeout) stopped the sends too.
 */
export const DIGEST_LOG_TRAILS = 'digest-log-trails';

/** One digest slot's run (workflows.ts `customerDigest`): its workflow id is derived from the slot. */
export interface DigestRunInput {
  /** ISO instant (real) of the slot: the run sleeps until then, then sends every digest due by it. */
  slotAt: string;
  /** Contacts per page (one activity). */
  pageSize: number;
  /** History events after which the run continues as new. */
  historyBudget: number;
  /** Kept across continue-as-new: the key of the run's digest records. */
  runId?: string;
}

/** Patch id: a decision whose record fails (after a bounded number of tries) is taken back. */
export const DECISION_RECORD_BOUNDED = 'decision-record-bounded';

export interface BatchOutcome {
  sent: number;
  failed: number;
  bounced: number;
  deferred: number;
  unconfirmed: number;
  skipped: number;
}

/** A resend to an alert's unconfirmed rows (workflows.ts `resendUnconfirmed`). */
export interface ResendInput {
  alertId: string;
  /** Derived from the click: the workflow id's tail and the rows' mark. */
  resendId: string;
  /** The person who confirmed it: the requester or an approver. */
  by: string;
  batchSize: number;
}
