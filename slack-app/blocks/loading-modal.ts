import type { types } from '@slack/bolt';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { mk } from '../../channels/slack/mrkdwn.js';
import { mrkdwn } from './alert-view-parts.js';

/**
 * The modal opened the moment Slack's trigger_id arrives, while what the real modal shows is
 * still being looked up (CRM, store). A trigger_id dies 3 s after the click, a CRM look-up may
 * take longer: Slack's pattern is to open this at once and views.update it with the content.
 * No inputs and no submit button: nothing typed here can be lost when it is replaced.
 */
export function loadingModal(input: { title: string; message: string }): types.ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: clip(input.title, SLACK_LIMITS.modalTitle) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: mrkdwn(mk`:hourglass_flowing_sand: ${input.message}`, 300),
      },
    ],
  };
}
