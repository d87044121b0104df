import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { asRequester } from '../alert-requester.js';
import { noticeModal, reviseModal } from '../blocks/alert-decision-modals.js';
import { readDecisionValue } from '../blocks/alert-status-message.js';
import { loadingModal } from '../blocks/loading-modal.js';
import type { SlackDeps } from '../deps.js';
import { handOffModal, updateView } from '../helpers.js';

/**
 * Revise on the requester's message (changes requested): a loading modal at once (the alert comes
 * from the store), then the revision modal prefilled with the current title and message, or a
 * notice when the user is not the requester or the alert no longer waits for changes.
 */
export function alertRevise(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const target = readDecisionValue(action.value);
    if (!target || !deps.alerts) return;
    handOffModal(deps, 'alert revise modal', async () => {
      const opened = await client.views.open({
        trigger_id: body.trigger_id,
        view: loadingModal({ title: 'Revise alert', message: 'Opening the alert…' }),
      });
      const check = await asRequester(client, deps, body.user.id, target.alertId, 'revise');
      let view;
      if (!check.ok) view = noticeModal('Cannot revise', check.problem);
      else if (check.alert.status !== 'changes_requested' || check.alert.version !== target.version)
        view = noticeModal(
          'Nothing to revise',
          `This alert no longer waits for changes (it is ${check.alert.status.replace(/_/g, ' ')}, version ${check.alert.version}).`,
        );
      else
        view = reviseModal(
          {
            alertId: check.alert.id,
            version: check.alert.version,
            ...(body.channel?.id ? { channelId: body.channel.id } : {}),
          },
          {
            title: check.alert.title,
            body: check.alert.body,
            decidedBy: check.alert.decidedBy,
            comment: check.alert.decisionComment,
          },
        );
      await updateView(client, deps.logger, opened, view);
    });
  };
}
