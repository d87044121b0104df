import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { alertModal } from '../blocks/alert-request-modal.js';
import { problemMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../deps.js';
import { handOffModal } from '../helpers.js';

/** /alert: opens the alert request modal (the trigger_id lives ~3 s, so at once). */
export function alertCommand(deps: SlackDeps) {
  return async ({ ack, body, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    if (!deps.alerts) {
      await ack({ response_type: 'ephemeral', ...problemMessage('Alerts are not available in this workspace yet.') });
      return;
    }
    await ack();
    const alerts = deps.alerts;
    handOffModal(deps, '/alert', async () => {
      // The catalogue is one quick store read; if it fails the modal offers a text field (the intake still checks).
      const topics = await (alerts.listTopics?.() ?? Promise.resolve([])).catch(() => []);
      return client.views.open({
        trigger_id: body.trigger_id,
        view: alertModal({ channelId: body.channel_id }, topics),
      });
    });
  };
}
