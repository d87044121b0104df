import type { ErrorCode } from '../errors.js';
import type { DecisionKind } from './alert-request.js';

export type ApprovalPhase =
  'resolving' | 'awaiting_approval' | 'changes_requested' | 'decided' | 'expired' | 'cancelled';

export interface ApprovalState {
  phase: ApprovalPhase;
  requester: string;
  /** Members of the alert's approver group, lower-cased. */
  approvers: readonly string[];
  version: number;
}

export interface Decision {
  approver: string;
  decision: DecisionKind;
  reason?: string;
  version?: number;
  /** Where the decision came from (api, link, slack, outlook); for the audit log. */
  via: string;
}

export type Refusal = { code: ErrorCode; message: string; field?: string };

/**
 * Whether a decision may be taken now. Pure, so the workflow's Update validator and the HTTP
 * routes give the same answer. Order matters: who you are is checked before what state the alert
 * is in, so a stranger learns nothing about the alert.
 */
export function refuseDecision(state: ApprovalState, d: Decision): Refusal | null {
  const who = d.approver.trim().toLowerCase();
  if (who === state.requester.trim().toLowerCase()) {
    return {
      code: 'FORBIDDEN',
      message: 'four eyes: the requester cannot decide on their own alert',
      field: 'approver',
    };
  }
  if (!state.approvers.includes(who)) {
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
  return null;
}
