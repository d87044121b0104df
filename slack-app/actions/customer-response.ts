import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ALERT_ACTIONS } from '../../channels/email/alert-email.js';
import { readCustomerResponseActionId } from '../../channels/slack/alert-message.js';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';

const LABELS = Object.fromEntries(ALERT_ACTIONS.map((a) => [a.action, a.label]));

/**
 * A customer's answer button (Interested, Call me, Not now, Unsubscribe) on an alert DM: recorded
 * through the same path as the email's action links, then a private "thanks" under the message.
 */
export function customerResponse(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const kind = readCustomerResponseActionId(action.action_id);
    const record = deps.alerts?.recordCustomerResponse;
    const token = action.value;
    if (!kind || !token || !record) return;
    handOff(deps, 'customer response', async () => {
      const outcome = await record({ token, kind, slackUserId: body.user.id });
      const text =
        outcome === 'recorded' || outcome === 'repeated'
          ? kind === 'unsubscribe'
            ? 'You are unsubscribed: you will not receive these alerts any more.'
            : `Thank you, we have your answer: ${LABELS[kind] ?? kind}.`
          : 'This button no longer works.';
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  };
}
