import type { AllMiddlewareArgs, BlockAction, ExternalSelectAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isTouchChannel } from '../../domain/vocabulary/index.js';
import { readTouchMetadata, touchModal, viewStateSchema, type TouchModalInput } from '../blocks/touch-modal.js';
import type { SlackDeps } from '../deps.js';
import { handOff, withCustomer } from '../helpers.js';
import { ACTIONS, TOUCH_BLOCKS } from '../ids.js';

/** A customer was picked in the modal: show the one or two questions they were never asked. */
export function customerSelected(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ExternalSelectAction>> & AllMiddlewareArgs) => {
    await ack();
    handOff(deps, 'customer selected', async () => {
      const view = body.view;
      const contactId = action.selected_option?.value;
      if (!view || !contactId) return;

      const metadata = readTouchMetadata(view.private_metadata);
      const state = viewStateSchema.safeParse(view.state?.values ?? {});
      const values = state.success ? state.data : {};
      const channel = values[TOUCH_BLOCKS.channel]?.[ACTIONS.channelSelect]?.selected_option?.value;
      const when = values[TOUCH_BLOCKS.when]?.[ACTIONS.whenPicker]?.selected_date_time;
      const current: TouchModalInput = {
        metadata,
        channel: channel && isTouchChannel(channel) ? channel : undefined,
        occurredAt: typeof when === 'number' ? new Date(when * 1000).toISOString() : undefined,
        summary: values[TOUCH_BLOCKS.summary]?.[ACTIONS.summaryInput]?.value ?? undefined,
        source: metadata.sourceUrl ? { permalink: metadata.sourceUrl } : undefined,
        questions: 'pick',
      };

      let update: TouchModalInput;
      try {
        const contact = await deps.contacts.byId(contactId);
        update = contact ? { ...current, ...withCustomer(deps, contact) } : current;
      } catch (error) {
        deps.logger.warn({ err: (error as Error).message }, 'next questions unavailable');
        update = { ...current, questions: 'unavailable' };
      }
      if (!update.customer && action.selected_option)
        update.customer = { id: contactId, label: action.selected_option.text.text };
      await client.views.update({ view_id: view.id, hash: view.hash, view: touchModal(update) });
    });
  };
}
