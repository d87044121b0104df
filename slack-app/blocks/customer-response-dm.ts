import type { types } from '@slack/bolt';
import { z } from 'zod';
import { clip, SLACK_LIMITS } from '../../channels/slack/limits.js';
import { escapeMrkdwn } from '../../channels/slack/mrkdwn.js';
import { responseKindSchema, type ResponseKind } from '../../domain/vocabulary/index.js';
import { ACTIONS } from '../ids.js';
import { mrkdwn, plain } from './alert-view-parts.js';
import type { SlackMessage } from './messages.js';

type KnownBlock = types.KnownBlock;

/** One customer response to an alert, as its reply owner is told about it. */
export interface ResponseNotice {
  alertId: string;
  alertTitle: string;
  contactId: string;
  customer: string;
  kind: ResponseKind;
  body: string | null;
  crmUrl?: string;
}

/** What the customer did, after their name. */
const KIND_LABEL: Record<ResponseKind, string> = {
  interested: '👍 is interested',
  'call-me': '📞 asks for a call',
  'not-now': '🙅 says not now',
  unsubscribe: '🚫 unsubscribed',
  reply: '✉️ replied',
  bounce: '⚠️ bounced',
};

/** DM to the reply owner: one customer response, with a button to log the follow-up. */
export function responseMessage(r: ResponseNotice): SlackMessage {
  const who = escapeMrkdwn(r.customer);
  const line = `*${who}* ${KIND_LABEL[r.kind]} to “${escapeMrkdwn(clip(r.alertTitle, 150))}”`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(line) }];
  if (r.body)
    blocks.push({ type: 'section', text: mrkdwn(`>${escapeMrkdwn(clip(r.body, 2500)).replace(/\n/g, '\n>')}`) });
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.logFollowUp,
        style: 'primary',
        text: plain('Log follow-up', 75),
        value: JSON.stringify({ c: r.contactId, a: r.alertId, k: r.kind }).slice(0, SLACK_LIMITS.buttonValue),
      },
      ...(r.crmUrl
        ? [
            {
              type: 'button' as const,
              action_id: ACTIONS.openCrmContact,
              text: plain('Open in CRM', 75),
              url: r.crmUrl,
            },
          ]
        : []),
    ],
  });
  blocks.push({ type: 'context', elements: [mrkdwn(`Alert \`${r.alertId}\``)] });
  return { text: clip(`${r.customer} ${r.kind} to "${r.alertTitle}"`, SLACK_LIMITS.messageText), blocks };
}

/** The "Log follow-up" button's value: which contact answered which alert, and how. */
export function readFollowUpValue(
  raw: string | undefined,
): { contactId: string; alertId: string; kind: ResponseKind } | null {
  try {
    const v = z
      .object({ c: z.string().regex(/^\d{1,18}$/), a: z.string().max(40), k: responseKindSchema })
      .parse(JSON.parse(raw ?? ''));
    return { contactId: v.c, alertId: v.a, kind: v.k };
  } catch {
    return null;
  }
}
