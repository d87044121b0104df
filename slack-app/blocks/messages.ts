import { TOUCH_CHANNEL_LABELS, type TouchChannel } from '../../domain/vocabulary/index.js';
import { clip } from '../../channels/slack/limits.js';
import { slackMessage, type SlackMessage } from '../../channels/slack/message.js';
import { mk, mkJoin, mkQuote, mrkdwnLink } from '../../channels/slack/mrkdwn.js';
import { mrkdwn } from './alert-view-parts.js';

export type { SlackMessage } from '../../channels/slack/message.js';

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
  const name = input.customer.name;
  const who = input.crmUrl ? mrkdwnLink(input.crmUrl, name) : mk`*${name}*`;
  const channel = TOUCH_CHANNEL_LABELS[input.channel];
  const head = input.duplicate
    ? mk`This touch with ${who} was already logged; nothing was added twice.`
    : mk`✅ ${channel} with ${who} logged; it is on its way to the CRM timeline.`;
  const details = [
    mk`> ${clip(input.summary.replace(/\n+/g, ' '), 300)}`,
    input.answers ? mk`${input.answers} answer${input.answers > 1 ? 's' : ''} saved on the contact.` : null,
    input.sourceUrl ? mk`From ${mrkdwnLink(input.sourceUrl, 'this message')}.` : null,
  ].filter((d) => d !== null);
  return slackMessage(mk`${input.duplicate ? 'Already logged' : 'Logged'}: ${channel} with ${name}`, [
    { type: 'section', text: mrkdwn(mkJoin([head, ...details])) },
    {
      type: 'context',
      elements: [
        mrkdwn(mk`Touch \`${input.touchId}\`${input.crmUrl ? mk` · ${mrkdwnLink(input.crmUrl, 'Open in CRM')}` : ''}`),
      ],
    },
  ]);
}

/**
 * A short ephemeral message saying what went wrong and what to do; `quote`: what the user wrote
 * (a touch that was not logged), so it is not lost.
 */
export function problemMessage(problem: string, hint?: string, quote?: string): SlackMessage {
  return slackMessage(mk`${problem}${quote ? mk`\n${quote}` : ''}`, [
    { type: 'section', text: mrkdwn(mk`⚠️ ${problem}${hint ? mk`\n${hint}` : ''}`) },
    ...(quote ? [{ type: 'section' as const, text: mrkdwn(mkQuote(quote)) }] : []),
  ]);
}

/** /touch with text: a hint, since the modal is where touches are written. */
export function usageMessage(command: string, usage: string): SlackMessage {
  return problemMessage(`Usage: ${command} ${usage}`);
}
