/**
 * The product's words as the API spells them: all from domain/ (the vocabulary lives there once);
 * this module only gathers what the contracts use. The error codes add INTERNAL, the code of a 500.
 */
import { ERROR_CODES as DOMAIN_ERROR_CODES } from '../domain/errors.js';

export { SUPPRESSION_REASONS, type SuppressionReason } from '../domain/audience/types.js';
export { DECISIONS, REPLY_OWNERS, type DecisionKind } from '../domain/broadcast/alert-request.js';
export {
  ALERT_STATUSES,
  BROADCAST_PHASES,
  CHANNELS,
  CUSTOMER_ANSWERS as CUSTOMER_ACTIONS,
  ENGAGEMENT_KINDS,
  RESPONSE_KINDS,
  TOUCH_CHANNELS,
  TOUCH_STATUSES,
  type BroadcastPhase,
  type Channel,
  type CustomerAnswer as CustomerAction,
  type EngagementKind,
  type ResponseKind,
  type TouchChannel,
} from '../domain/vocabulary/index.js';

export const ERROR_CODES = [...DOMAIN_ERROR_CODES, 'INTERNAL'] as const;
