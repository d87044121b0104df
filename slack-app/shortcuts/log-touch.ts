import type { AllMiddlewareArgs, GlobalShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handOffModal, openTouchModal } from '../helpers.js';

/** Global shortcut "Log a customer touch" (from the composer's shortcut menu): the empty modal; confirmation by DM. */
export function logTouchShortcut(deps: SlackDeps) {
  return async ({ ack, shortcut, client }: SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs) => {
    await ack();
    handOffModal(deps, 'global shortcut', async () => {
      await openTouchModal(client, deps, shortcut.trigger_id, { metadata: { questionIds: [] }, questions: 'pick' });
    });
  };
}
