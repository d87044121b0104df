import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { readFollowUpValue } from '../blocks/customer-response-dm.js';
import type { SlackDeps } from '../deps.js';
import { handOffModal, openTouchModal } from '../helpers.js';

/** "Log follow-up" on a customer-response DM: the log-a-touch modal with the customer and a summary prefilled. */
export function logFollowUp(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const value = readFollowUpValue(action.value);
    if (!value) return;
    handOffModal(deps, 'log follow-up', () =>
      openTouchModal(
        client,
        deps,
        body.trigger_id,
        {
          metadata: { channelId: body.channel?.id, questionIds: [] },
          questions: 'pick',
          summary: `Follow-up to alert ${value.alertId} (customer response: ${value.kind})`,
        },
        () => deps.contacts.byId(value.contactId),
      ),
    );
  };
}
