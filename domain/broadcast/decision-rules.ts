import type { ErrorCode } from '../errors.js';
import type { BroadcastPhase } from '../vocabulary/index.js';
import type { DecisionKind } from './alert-request.js';
import { refuseUrgent } from './send-timing.js';

/** Phases a broadcast can be in before its decision; each refuses a decision in its own words. */
type UndecidedPhase = Extract<
  BroadcastPhase,
  'resolving' | 'awaiting_approval' | 'changes_requested' | 'expired' | 'cancelled'
>;
/** What the decision rules need of the broadcast's phase: once decided, only that it was. */
export type ApprovalPhase = UndecidedPhase | 'decided';

const undecided: ReadonlySet<BroadcastPhase> = new Set<UndecidedPhase>([
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'expired',
  'cancelled',
]);
const isUndecided = (phase: BroadcastPhase): phase is UndecidedPhase => undecided.has(phase);

/** The approval phase of a broadcast in `phase`, given whether a decision has been taken in it. */
export function approvalPhase(phase: BroadcastPhase, decided: boolean): ApprovalPhase {
  return !decided && isUndecided(phase) ? phase : 'decided';
}

/** The requester of an alert: their email, and their person id when a person requested it (after ids). */
export interface RequesterRef {
  requester: string;
  /** Absent: a service principal requested it, or it was requested before people were judged by id. */
  requesterId?: string | null;
}

/**
 * Whether the one acting is the alert's requester. By person id when both are known: a person
 * whose email changed is still the requester, and one who inherited the requester's old email is
 * not. By email only for alerts or actors from before ids.
 */
export function isRequester(alert: RequesterRef, actor: { email: string; id?: string | null }): boolean {
  if (alert.requesterId && actor.id) return alert.requesterId === actor.id;
  return actor.email.trim().toLowerCase() === alert.requester.trim().toLowerCase();
}

export interface ApprovalState extends RequesterRef {
  phase: ApprovalPhase;
  /** Members of the alert's approver group: the emails APPROVER_GROUPS names, lower-cased. */
  approvers: readonly string[];
  version: number;
  /** The alert's topic lets approvers mark it urgent (sent at once, not at the announced slot). */
  urgentAllowed?: boolean;
}

export interface Decision {
  /** The approver's email as they go by now: shown and audited. */
  approver: string;
  /** The approver's person id: four eyes is judged on it. Absent on decisions from before ids. */
  approverId?: string;
  /**
   * The group email bound to the approver's person id (services/approver-groups.ts); null: none is.
   * Absent on decisions from before ids: then the approver's own email must be a member.
   */
  member?: string | null;
  decision: DecisionKind;
  reason?: string;
  version?: number;
  /** Where the decision came from (api, link, slack, outlook); for the audit log. */
  via: string;
  /** Approve and send at once, not at the topic's announced slot (audited). */
  urgent?: boolean;
}

export type Refusal = { code: ErrorCode; message: string; field?: string };

/**
 * Whether a decision may be taken now. Pure, so the workflow's Update validator and the HTTP
 * routes give the same answer. Order matters: who you are is checked before what state the alert
 * is in, so a stranger learns nothing about the alert.
 */
export function refuseDecision(state: ApprovalState, d: Decision): Refusal | null {
  const who = d.approver.trim().toLowerCase();
  if (isRequester(state, { email: who, id: d.approverId ?? null })) {
    return {
      code: 'FORBIDDEN',
      message: 'four eyes: the requester cannot decide on their own alert',
      field: 'approver',
    };
  }
  const member = d.member === undefined ? who : d.member;
  if (member === null || !state.approvers.includes(member)) {
    return { code: 'FORBIDDEN', message: `${who} is not in this alert's approver group`, field: 'approver' };
  }
  if (state.phase === 'expired') return { code: 'GONE', message: 'the approval request has expired' };
  if (state.phase !== 'awaiting_approval') {
    return { code: 'CONFLICT', message: `the alert is not awaiting approval (${state.phase})` };
  }
  if (d.version !== undefined && d.version !== state.version) {
    return {
      code: 'CONFLICT',
      message: `version ${d.version} was replaced by version ${state.version}`,
      field: 'version',
    };
  }
  if ((d.decision === 'reject' || d.decision === 'request_changes') && !d.reason?.trim()) {
    return { code: 'VALIDATION', message: `reason: ${d.decision.replace('_', ' ')} needs a reason`, field: 'reason' };
  }
  if (d.urgent && d.decision !== 'approve') {
    return { code: 'VALIDATION', message: 'urgent: only an approval can be urgent', field: 'urgent' };
  }
  const urgent = refuseUrgent(d.urgent, state.urgentAllowed === true);
  if (urgent) return { code: 'VALIDATION', message: urgent, field: 'urgent' };
  return null;
}
