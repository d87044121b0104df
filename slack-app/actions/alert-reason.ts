import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reasonModal } from '../blocks/alert-decision-modals.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import { loadingModal } from '../blocks/loading-modal.js';
import type { SlackDeps } from '../deps.js';
import { handOffModal, updateView } from '../helpers.js';

/**
 * Reject / Request changes on an approval DM: the reason modal (the decision happens on its
 * submit). It opens at once as a loading modal, since the alert's title comes from the store,
 * and shows the reason field once the title is there.
 */
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
    handOffModal(deps, 'alert reason modal', async () => {
      const opened = await client.views.open({
        trigger_id: body.trigger_id,
        view: loadingModal({
          title: decision === 'reject' ? 'Reject alert' : 'Request changes',
          message: 'Opening the alert…',
        }),
      });
      const alert = await deps.alerts?.alerts.get(target.alertId).catch((error: Error) => {
        deps.logger.warn({ err: error.message, alertId: target.alertId }, 'alert title unavailable');
        return null;
      });
      await updateView(
        client,
        deps.logger,
        opened,
        reasonModal({ ...target, decision }, alert?.title ?? target.alertId),
      );
    });
  };
}
