import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reasonModal, readDecisionValue } from '../blocks/alert.js';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';

/** Reject / Request changes on an approval DM: the reason modal (the decision happens on its submit). */
export function alertReason(deps: SlackDeps, decision: 'reject' | 'request_changes') {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const target = readDecisionValue(action.value);
    if (!target) return;
    handOff(deps.logger, 'alert reason modal', async () => {
      const alert = await deps.alerts?.alerts.get(target.alertId);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: reasonModal({ ...target, decision }, alert?.title ?? target.alertId),
      });
    });
  };
}
