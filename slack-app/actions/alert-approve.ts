import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decideInSlack } from '../alert-decision.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';

/**
 * Approve on an approval DM: journalled, then straight to the workflow's Update. `urgent`: the
 * "Approve, send now" button (its confirm dialog said so); the validator refuses it if the topic
 * does not allow it.
 */
export function alertApprove(deps: SlackDeps, options: { urgent?: boolean } = {}) {
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
      key: `decide:${body.user.id}:${action.action_ts}`,
      kind: 'decide' as const,
      payload: {
        userId: body.user.id,
        ...(body.channel?.id ? { channelId: body.channel.id } : {}),
        ...target,
        decision: 'approve' as const,
        ...(options.urgent ? { urgent: true } : {}),
      },
    };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, decideInSlack);
  };
}
