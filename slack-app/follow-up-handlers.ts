import { recordCustomerAnswer } from './actions/customer-response.js';
import { decideInSlack } from './alert-decision.js';
import { cancelInSlack, reviseInSlack } from './alert-requester.js';
import type { FollowUpHandler, FollowUpKind } from './follow-ups.js';
import { requestAlertFromSlack } from './views/alert-submit.js';
import { logTouchFromSlack } from './views/touch-submit.js';

/**
 * Every journalled follow-up by kind, for the recovery to run one whose process died. The
 * listeners run the same functions right after ack(); the journal holds their arguments.
 */
export const FOLLOW_UP_HANDLERS: { [K in FollowUpKind]: FollowUpHandler<never> } = {
  touch: logTouchFromSlack,
  alert: requestAlertFromSlack,
  decide: decideInSlack,
  revise: reviseInSlack,
  cancel: cancelInSlack,
  response: (_client, deps, payload) => recordCustomerAnswer(deps, payload),
};
