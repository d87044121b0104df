import type { types } from '@slack/bolt';
import { z } from 'zod';
import { clip, SLACK_LIMITS } from '../../channels/slack/limits.js';
import { slackMessage, type SlackMessage } from '../../channels/slack/message.js';
import { mk, mkQuote } from '../../channels/slack/mrkdwn.js';
import { responseKindSchema, type ResponseKind } from '../../domain/vocabulary/index.js';
import { ACTIONS } from '../ids.js';
import { mrkdwn, plain } from './alert-view-parts.js';

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
  const line = mk`*${r.customer}* ${KIND_LABEL[r.kind]} to “${clip(r.alertTitle, 150)}”`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(line) }];
  if (r.body) blocks.push({ type: 'section', text: mrkdwn(mkQuote(clip(r.body, 2500))) });
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
  blocks.push({ type: 'context', elements: [mrkdwn(mk`Alert \`${r.alertId}\``)] });
  return slackMessage(mk`${r.customer} ${KIND_LABEL[r.kind]} to “${r.alertTitle}”`, blocks);
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
