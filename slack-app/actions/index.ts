import type { App, BlockAction, ButtonAction, ExternalSelectAction } from '@slack/bolt';
import { CUSTOMER_RESPONSE_ACTION, PREFERENCES_ACTION_ID } from '../../channels/slack/customer-response-ids.js';
import type { SlackDeps } from '../deps.js';
import { ACTIONS } from '../ids.js';
import { acknowledgeOnly } from './acknowledge.js';
import { alertApprove } from './alert-approve.js';
import { alertCancel } from './alert-cancel.js';
import { alertReason } from './alert-reason.js';
import { alertRevise } from './alert-revise.js';
import { customerResponse } from './customer-response.js';
import { customerSelected } from './customer-selected.js';
import { homeRefresh } from './home-refresh.js';
import { logFollowUp } from './log-follow-up.js';
import { openLogTouch } from './open-log-touch.js';

export function register(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ExternalSelectAction>>(ACTIONS.customerSelect, customerSelected(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.openLogTouch, openLogTouch(deps));
  app.action(ACTIONS.openCrmContact, acknowledgeOnly);
  app.action(ACTIONS.openDashboard, acknowledgeOnly);
  app.action<BlockAction<ButtonAction>>(ACTIONS.homeRefresh, homeRefresh(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.homeSeeMoreTouches, homeRefresh(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.approveAlert, alertApprove(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.approveAlertUrgent, alertApprove(deps, { urgent: true }));
  app.action<BlockAction<ButtonAction>>(ACTIONS.rejectAlert, alertReason(deps, 'reject'));
  app.action<BlockAction<ButtonAction>>(ACTIONS.requestChanges, alertReason(deps, 'request_changes'));
  app.action<BlockAction<ButtonAction>>(ACTIONS.reviseAlert, alertRevise(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.cancelAlert, alertCancel(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.logFollowUp, logFollowUp(deps));
  // One action_id per answer (`<prefix>:interested`, ...): ids must be unique within the buttons' block.
  app.action<BlockAction<ButtonAction>>(CUSTOMER_RESPONSE_ACTION, customerResponse(deps));
  // The DM's preference link opens in the browser; Slack still sends the click, which only needs its ack.
  app.action<BlockAction<ButtonAction>>(PREFERENCES_ACTION_ID, async ({ ack }) => {
    await ack();
  });
}
