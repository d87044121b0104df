import type { types } from '@slack/bolt';
import { SLACK_LIMITS, clip } from './limits.js';
import type { Mrkdwn } from './mrkdwn.js';

declare const BUILT: unique symbol;

/**
 * A Slack message as Rapport sends it: the `text` fallback (notifications, screen readers; Slack
 * renders it as mrkdwn too) and the blocks. Only {@link slackMessage} makes one, from Mrkdwn, so
 * a fallback cannot be written without escaping what goes into it.
 */
export type SlackMessage = { text: string; blocks: types.KnownBlock[] } & { readonly [BUILT]: true };

export function slackMessage(text: Mrkdwn, blocks: types.KnownBlock[]): SlackMessage {
  return {
    text: clip(text.text, SLACK_LIMITS.messageText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  } as SlackMessage;
}
