import type { types } from '@slack/bolt';
import { TOUCH_CHANNEL_LABELS, type TouchChannel } from '../../domain/vocabulary/index.js';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { escapeMrkdwn, mrkdwnLink } from '../../channels/slack/mrkdwn.js';

type KnownBlock = types.KnownBlock;
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface TouchConfirmationInput {
  touchId: string;
  duplicate: boolean;
  customer: { name: string; email: string | null };
  channel: TouchChannel;
  summary: string;
  answers: number;
  crmUrl?: string;
  sourceUrl?: string;
}

/** Ephemeral confirmation after the modal is submitted. */
export function touchConfirmation(input: TouchConfirmationInput): SlackMessage {
  const who = input.crmUrl ? mrkdwnLink(input.crmUrl, input.customer.name) : `*${escapeMrkdwn(input.customer.name)}*`;
  const head = input.duplicate
    ? `This touch with ${who} was already logged; nothing was added twice.`
    : `✅ ${TOUCH_CHANNEL_LABELS[input.channel]} with ${who} logged; it is on its way to the CRM timeline.`;
  const details = [
    `> ${escapeMrkdwn(clip(input.summary.replace(/\n+/g, ' '), 300))}`,
    input.answers ? `${input.answers} answer${input.answers > 1 ? 's' : ''} saved on the contact.` : null,
    input.sourceUrl ? `From ${mrkdwnLink(input.sourceUrl, 'this message')}.` : null,
  ].filter(Boolean);
  return {
    text: clip(
      `${input.duplicate ? 'Already logged' : 'Logged'}: ${TOUCH_CHANNEL_LABELS[input.channel]} with ${input.customer.name}`,
      SLACK_LIMITS.messageText,
    ),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`${head}\n${details.join('\n')}`, SLACK_LIMITS.sectionText) },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Touch \`${input.touchId}\`${input.crmUrl ? ` · ${mrkdwnLink(input.crmUrl, 'Open in CRM')}` : ''}`,
          },
        ],
      },
    ],
  };
}

/** A short ephemeral message saying what went wrong and what to do. */
export function problemMessage(problem: string, hint?: string): SlackMessage {
  const body = `⚠️ ${escapeMrkdwn(problem)}${hint ? `\n${escapeMrkdwn(hint)}` : ''}`;
  return {
    text: clip(problem, SLACK_LIMITS.messageText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(body, SLACK_LIMITS.sectionText) } }],
  };
}

/** /touch with text: a hint, since the modal is where touches are written. */
export function usageMessage(command: string, usage: string): SlackMessage {
  return problemMessage(`Usage: ${command} ${usage}`);
}
