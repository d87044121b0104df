/**
 * The pane's wire types: what it sends to and receives from /api/addin/* and /addin/config.json.
 * They come from the server's contracts as types only (erased from the bundle, which stays free
 * of server code); the server checks its own answers against the same schemas in tests.
 */
import type { CustomerContext, TouchAccepted } from '../../contracts/index.js';

export type {
  AddinConfig as AddinClientConfig,
  AddinDecisionBody as DecisionInput,
  AddinDecisionOutcome as DecisionOutcome,
  AddinTouchBody as LogTouchInput,
  ApprovalView as ApprovalAlertView,
  AudienceSummary as ApprovalAudience,
  CustomerContext as CustomerContextView,
  DecisionKind,
  LiveSummary as LiveSummaryView,
} from '../../contracts/index.js';

/** A person as the context names them (contact or owner). */
export type Person = NonNullable<CustomerContext['owner']>;

/** What the pane reads of a touch it logged: the answer to its POST (`duplicate`), then to its status polls. */
export type LoggedTouch = Pick<TouchAccepted, 'id' | 'status' | 'engagement'> &
  Partial<Pick<TouchAccepted, 'duplicate'>>;
