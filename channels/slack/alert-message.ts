import type { types } from '@slack/bolt';
import { greeting } from '../../domain/broadcast/greeting.js';
import { CUSTOMER_ANSWERS, RESPONSE_KIND_LABELS } from '../../domain/vocabulary/index.js';
import { oneLine } from '../email/alert-email-input.js';
import type { ChannelAlert } from '../adapter.js';
import {
  customerResponseActionId,
  PREFERENCES_ACTION_ID,
  PREFERENCES_BLOCK_ID,
  RESPONSE_BLOCK_ID,
} from './customer-response-ids.js';
import { SLACK_LIMITS, clip } from './limits.js';
import { markdownToMrkdwn, mk } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

/** header + actions + preferences + context around the body sections. */
const BODY_SECTIONS = SLACK_LIMITS.blocksPerMessage - 4;

export interface SlackAlertMessage {
  /** Notification and screen-reader text. */
  text: string;
  blocks: KnownBlock[];
  /** The analyst's links must not unfurl into previews we did not review. */
  unfurl_links: false;
  unfurl_media: false;
}

/** Where a mrkdwn string may be cut without splitting a `<link|label>` or an `&amp;` entity. */
function safeCut(text: string, max: number): number {
  let cut = max;
  const head = text.slice(0, cut);
  const lt = head.lastIndexOf('<');
  if (lt > head.lastIndexOf('>')) cut = lt;
  const amp = head.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && text.indexOf(';', amp) >= cut) cut = amp;
  // A single link longer than a section: cut it anyway (Slack shows the broken markup as text).
  return cut > 0 ? cut : max;
}

/** Consecutive parts joined by `sep` while they fit in `max`. */
function pack(parts: string[], sep: string, max: number): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (last !== undefined && last.length + sep.length + part.length <= max)
      out[out.length - 1] = `${last}${sep}${part}`;
    else out.push(part);
  }
  return out;
}

function splitLong(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = safeCut(rest, max);
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}

/** Paragraphs packed into section texts of at most `max` characters; a longer paragraph splits at lines, then anywhere safe. */
export function sectionTexts(paragraphs: string[], max: number = SLACK_LIMITS.sectionText): string[] {
  const pieces = paragraphs.flatMap((p) =>
    p.length <= max
      ? [p]
      : pack(
          p.split('\n').flatMap((line) => splitLong(line, max)),
          '\n',
          max,
        ),
  );
  return pack(pieces, '\n\n', max);
}

/**
 * The Block Kit DM of one alert to one customer: the title as a header, the body as mrkdwn
 * sections, and the answer buttons whose values are the delivery's signed response token (the
 * same token the email's action links carry). Pure: the token is signed by the caller.
 */
export function buildSlackAlertMessage(
  alert: ChannelAlert,
  responseToken: string,
  /** The contact's first name when known: the DM greets them by it, as the email does. */
  firstName?: string | null,
  /** The contact's preference centre: a link button under the answers; unset: none. */
  preferencesUrl?: string,
): SlackAlertMessage {
  const title = clip(oneLine(alert.title) || 'Alert', SLACK_LIMITS.headerText);
  const hello = greeting(firstName);
  let sections = sectionTexts([...(hello ? [mk`${hello}`.text] : []), ...markdownToMrkdwn(alert.body)]);
  if (sections.length > BODY_SECTIONS) {
    sections = sections.slice(0, BODY_SECTIONS);
    const last = sections[BODY_SECTIONS - 1]!;
    sections[BODY_SECTIONS - 1] = `${last.slice(0, safeCut(last, SLACK_LIMITS.sectionText - 1))}…`;
  }
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    ...sections.map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    {
      type: 'actions',
      block_id: RESPONSE_BLOCK_ID,
      elements: CUSTOMER_ANSWERS.map((answer) => ({
        type: 'button' as const,
        action_id: customerResponseActionId(answer),
        text: { type: 'plain_text' as const, text: RESPONSE_KIND_LABELS[answer] },
        value: responseToken,
        ...(answer === 'interested' ? { style: 'primary' as const } : {}),
        ...(answer === 'unsubscribe'
          ? {
              confirm: {
                title: { type: 'plain_text' as const, text: 'Unsubscribe?' },
                text: { type: 'plain_text' as const, text: 'You will not receive these alerts any more.' },
                confirm: { type: 'plain_text' as const, text: 'Unsubscribe' },
                deny: { type: 'plain_text' as const, text: 'Cancel' },
              },
            }
          : {}),
      })),
    },
    ...(preferencesUrl && preferencesUrl.length <= 3000
      ? [
          {
            type: 'actions' as const,
            block_id: PREFERENCES_BLOCK_ID,
            elements: [
              {
                type: 'button' as const,
                action_id: PREFERENCES_ACTION_ID,
                text: { type: 'plain_text' as const, text: 'Your preferences' },
                url: preferencesUrl,
              },
            ],
          },
        ]
      : []),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Tap a button to answer; your account team sees it straight away.' }],
    },
  ];
  return {
    text: clip(mk`${title}`.text, SLACK_LIMITS.messageText),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}
