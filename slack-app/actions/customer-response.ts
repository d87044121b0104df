import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { readCustomerResponseActionId } from '../../channels/slack/customer-response-ids.js';
import { mk } from '../../channels/slack/mrkdwn.js';
import { RESPONSE_KIND_LABELS } from '../../domain/vocabulary/index.js';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';

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
            ? mk`You are unsubscribed: you will not receive these alerts any more.`
            : mk`Thank you, we have your answer: ${RESPONSE_KIND_LABELS[kind]}.`
          : mk`This button no longer works.`;
      await respond({ response_type: 'ephemeral', replace_original: false, text: text.text });
    });
  };
}
