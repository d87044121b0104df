/**
 * The product's words as the API spells them. Those that live in a pure domain module are
 * re-exported from there; the others are listed here until they move into domain/.
 */
export { CHANNELS, SUPPRESSION_REASONS, type Channel, type SuppressionReason } from '../domain/audience/types.js';
export { DECISIONS, REPLY_OWNERS, type DecisionKind } from '../domain/broadcast/alert-request.js';
export { TOUCH_CHANNELS, type TouchChannel } from '../domain/touch.js';

/** Where an alert is in its life (store/alerts.ts AlertStatus). */
export const ALERT_STATUSES = [
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'rejected',
  'expired',
  'approved',
  'dispatching',
  'following_up',
  'completed',
  'cancelled',
  'failed',
] as const;

/** The broadcast workflow's phase, a subset of the alert statuses (workflows/broadcast/shared.ts BroadcastPhase). */
export const BROADCAST_PHASES = [
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'dispatching',
  'following_up',
  'completed',
  'rejected',
  'expired',
  'cancelled',
] as const satisfies readonly (typeof ALERT_STATUSES)[number][];

/** The answers a customer picks from an alert (the links in the email, the SMS page, the Slack buttons). */
export const CUSTOMER_ACTIONS = ['interested', 'call-me', 'not-now', 'unsubscribe'] as const;

/** Every kind of customer response: the picked answers, free replies and bounces (store/responses.ts ResponseKind). */
export const RESPONSE_KINDS = [...CUSTOMER_ACTIONS, 'reply', 'bounce'] as const;

/** Where a touch is on its way to the CRM (store/touches.ts TouchStatus). */
export const TOUCH_STATUSES = ['pending', 'synced', 'failed'] as const;

/** CRM engagement kinds a touch becomes (crm/port.ts EngagementKind). */
export const ENGAGEMENT_KINDS = ['note', 'call', 'email', 'meeting'] as const;

/** Error codes of the error body (domain/errors.ts ErrorCode, plus INTERNAL for a 500). */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'GONE',
  'UNKNOWN_CONTACT',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type BroadcastPhase = (typeof BROADCAST_PHASES)[number];
export type CustomerAction = (typeof CUSTOMER_ACTIONS)[number];
export type ResponseKind = (typeof RESPONSE_KINDS)[number];
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];
