import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { cancelInSlack } from '../alert-requester.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';

/** Cancel on the requester's message, after Slack's confirm dialog: the same cancel signal as the API. */
export function alertCancel(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    const target = readDecisionValue(action.value);
    if (!target) {
      await ack();
      return;
    }
    const entry = {
      key: `cancel:${body.user.id}:${action.action_ts}`,
      kind: 'cancel' as const,
      payload: {
        userId: body.user.id,
        ...(body.channel?.id ? { channelId: body.channel.id } : {}),
        alertId: target.alertId,
      },
    };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, cancelInSlack);
  };
}
