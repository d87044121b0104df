import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handOffModal, openTouchModal } from '../helpers.js';

/** "Log a touch" on the context card: the modal with that customer already picked. */
export function openLogTouch(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    handOffModal(deps, 'open log touch', async () => {
      const contactId = action.value;
      await openTouchModal(
        client,
        deps,
        body.trigger_id,
        { metadata: { channelId: body.channel?.id, questionIds: [] }, questions: 'pick' },
        contactId && /^\d{1,20}$/.test(contactId) ? () => deps.contacts.byId(contactId) : undefined,
      );
    });
  };
}
