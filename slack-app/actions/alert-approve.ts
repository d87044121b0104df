import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decideInSlack } from '../alert-decision.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';

/** Approve on an approval DM: straight to the workflow's Update. */
export function alertApprove(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const target = readDecisionValue(action.value);
    if (!target) return;
    handOff(deps, 'alert approve', () =>
      decideInSlack(client, deps, {
        userId: body.user.id,
        channelId: body.channel?.id,
        ...target,
        decision: 'approve',
      }),
    );
  };
}
