import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { cancelInSlack } from '../alert-requester.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';

/** Cancel on the requester's message, after Slack's confirm dialog: the same cancel signal as the API. */
export function alertCancel(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const target = readDecisionValue(action.value);
    if (!target) return;
    handOff(deps, 'alert cancel', () =>
      cancelInSlack(client, deps, { userId: body.user.id, channelId: body.channel?.id, alertId: target.alertId }),
    );
  };
}
