import { greeting } from '../../domain/broadcast/greeting.js';
import { DomainError } from '../../domain/errors.js';
import { CUSTOMER_ANSWERS, RESPONSE_KIND_LABELS } from '../../domain/vocabulary/index.js';
import { ALERT_ID_HEADER, CONTACT_ID_HEADER, type AlertEmail } from './alert-email.js';
import {
  alertEmailInputSchema,
  BOUNCE_PREFIX,
  oneLine,
  REPLY_PREFIX,
  senderSettingsSchema,
  UNSUBSCRIBE_PREFIX,
  type SenderSettingsInput,
} from './alert-email-input.js';
import { escapeHtml } from './html-escape.js';
import { renderMarkdown } from './markdown.js';

/** Names every alert a digest carries (comma-separated ids), beside X-Rapport-Alert-Id (the digest's own key). */
export const DIGEST_ALERTS_HEADER = 'X-Rapport-Digest-Alerts';

/** One alert in a digest, with the signed tokens of its own ledger row: its links name the alert. */
export interface DigestEmailItem {
  alertId: string;
  title: string;
  body: string;
  tokens: { response: string; unsubscribe: string; reply: string };
}

export interface DigestEmailInput {
  sender: SenderSettingsInput;
  /** The digest's key (e.g. "digest-<slot>"), in X-Rapport-Alert-Id: one digest per contact per key. */
  digestKey: string;
  /** The digest record's id: the Message-ID is derived from it, the same on every retry. */
  digestId: number;
  recipient: { contactId: string; email: string; firstName?: string | null; preferencesUrl?: string };
  /** Oldest first; at least one. */
  items: DigestEmailItem[];
  /** The newest item's bounce token: a bounce names that row (and with it the digest). */
  bounceToken?: string;
}

const idPart = (value: string) =>
  value.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** The same digest always has the same Message-ID, so a retried send is recognisable downstream. */
export function digestMessageId(digestId: number, contactId: string, domain: string): string {
  return `<digest.${digestId}.${idPart(contactId)}@${domain}>`;
}

/** Past this many characters of body, an item shows its excerpt and the link to the rest is its answers. */
const EXCERPT_CHARS = 1_200;

/**
 * A digest run sends the same few alerts to thousands of contacts: each body is rendered once,
 * not twice per digest (HTML and text). A small map, cleared when full: a slot has few alerts.
 */
const rendered = new Map<string, ReturnType<typeof renderMarkdown>>();
function renderedExcerpt(body: string): ReturnType<typeof renderMarkdown> {
  let r = rendered.get(body);
  if (!r) {
    if (rendered.size >= 64) rendered.clear();
    rendered.set(body, (r = renderMarkdown(excerpt(body))));
  }
  return r;
}

function excerpt(body: string): string {
  if (body.length <= EXCERPT_CHARS) return body;
  const cut = body.slice(0, EXCERPT_CHARS);
  const end = Math.max(cut.lastIndexOf('\n'), cut.lastIndexOf(' '));
  return `${cut.slice(0, end > EXCERPT_CHARS / 2 ? end : EXCERPT_CHARS)}…`;
}

/**
 * One contact's digest: every alert since their last digest, each with its title, its body (in
 * full, or an excerpt past 1,200 characters), its own answer links, unsubscribe link and reply
 * address (each signed with that alert's ledger row, so a response is routed to that alert), then
 * the preference-centre link. Reply-To and List-Unsubscribe name the newest alert (a mail client's
 * own reply or unsubscribe button can name one only). Pure: tokens are signed by the caller, and
 * every value from outside (titles, bodies, names, links) is escaped.
 */
export function buildDigestEmail(input: DigestEmailInput): AlertEmail {
  const parsed = senderSettingsSchema.safeParse(input.sender);
  if (!parsed.success) throw new DomainError('VALIDATION', 'digest email: sender settings are invalid', 'sender');
  const sender = parsed.data;
  if (input.items.length === 0) throw new DomainError('VALIDATION', 'digest email: no items', 'items');
  // The same token rules as an alert email: each reply and unsubscribe address fits RFC 5321's local part.
  for (const [i, item] of input.items.entries()) {
    const tokens = alertEmailInputSchema.shape.tokens.safeParse(item.tokens);
    if (!tokens.success)
      throw new DomainError(
        'VALIDATION',
        `digest email: items.${i}.tokens: ${tokens.error.issues[0]?.message ?? 'invalid'}`,
        `items.${i}.tokens`,
      );
  }
  const domain = sender.messageIdDomain ?? sender.from.address.split('@').pop()?.toLowerCase() ?? sender.replyDomain;
  const newest = input.items[input.items.length - 1]!;
  const linkFor = (token: string, answer: string) =>
    `${sender.publicUrl}/r/${encodeURIComponent(token)}?a=${encodeURIComponent(answer)}`;
  const replyAddress = (token: string) => `${REPLY_PREFIX}${token}@${sender.replyDomain}`;
  const answersOf = (item: DigestEmailItem) =>
    CUSTOMER_ANSWERS.filter((a) => a !== 'unsubscribe').map((a) => ({
      label: RESPONSE_KIND_LABELS[a],
      url: linkFor(item.tokens.response, a),
    }));
  const hello = greeting(input.recipient.firstName);
  const count = input.items.length;
  const subject = oneLine(
    count === 1 ? `Your digest: ${newest.title}` : `Your digest: ${count} updates, latest "${newest.title}"`,
  ).slice(0, 200);

  const htmlItems = input.items.map((item) => {
    const body = renderedExcerpt(item.body);
    const answers = answersOf(item)
      .map(
        (l) =>
          `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:6px 12px;border:1px solid #1f6feb;border-radius:4px;color:#1f6feb;text-decoration:none">${escapeHtml(l.label)}</a>`,
      )
      .join('\n');
    const reply = `mailto:${replyAddress(item.tokens.reply)}?subject=${encodeURIComponent(`Re: ${oneLine(item.title)}`)}`;
    return `<section style="border-top:1px solid #d0d7de;padding:16px 0" data-alert-id="${escapeHtml(item.alertId)}">
<h2 style="font-size:17px;margin:0 0 8px">${escapeHtml(oneLine(item.title))}</h2>
${body.html}
<p style="margin:16px 0 0">${answers}</p>
<p style="font-size:12px;color:#6b7280"><a href="${escapeHtml(reply)}" style="color:#6b7280">Reply about this</a> · <a href="${escapeHtml(linkFor(item.tokens.response, 'unsubscribe'))}" style="color:#6b7280">Unsubscribe</a></p>
</section>`;
  });
  const prefs = input.recipient.preferencesUrl;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
<div style="max-width:600px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(count === 1 ? 'Your digest: 1 update' : `Your digest: ${count} updates`)}</h1>
${hello ? `<p>${escapeHtml(hello)}</p>\n` : ''}${htmlItems.join('\n')}
<p style="font-size:12px;color:#6b7280;border-top:1px solid #d0d7de;padding-top:16px">You get these as a digest, as you chose. ${
    prefs ? `<a href="${escapeHtml(prefs)}" style="color:#6b7280">Choose what you get, how and when</a>` : ''
  }</p>
</div>
</body></html>`;

  const text = [
    count === 1 ? 'Your digest: 1 update' : `Your digest: ${count} updates`,
    '',
    ...(hello ? [hello, ''] : []),
    ...input.items.flatMap((item) => [
      `== ${oneLine(item.title)}`,
      '',
      renderedExcerpt(item.body).text,
      '',
      ...answersOf(item).map((l) => `${l.label}: ${l.url}`),
      `Reply about this: ${replyAddress(item.tokens.reply)}`,
      `Unsubscribe: ${linkFor(item.tokens.response, 'unsubscribe')}`,
      '',
    ]),
    'You get these as a digest, as you chose.',
    ...(prefs ? [`Your preferences: ${prefs}`] : []),
    '',
  ].join('\n');

  const unsubscribeUrl = `${sender.publicUrl}/u/${encodeURIComponent(newest.tokens.unsubscribe)}`;
  const unsubscribeMailto = `mailto:${UNSUBSCRIBE_PREFIX}${newest.tokens.unsubscribe}@${sender.replyDomain}?subject=unsubscribe`;
  const email: AlertEmail = {
    from: sender.from,
    to: { address: input.recipient.email },
    replyTo: replyAddress(newest.tokens.reply),
    subject,
    text,
    html,
    messageId: digestMessageId(input.digestId, input.recipient.contactId, domain),
    headers: {
      [ALERT_ID_HEADER]: input.digestKey,
      [CONTACT_ID_HEADER]: input.recipient.contactId,
      'List-Unsubscribe': { prepared: true, value: `<${unsubscribeUrl}>, <${unsubscribeMailto}>` },
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...(input.bounceToken
      ? { envelope: { from: `${BOUNCE_PREFIX}${input.bounceToken}@${sender.replyDomain}`, to: input.recipient.email } }
      : {}),
  };
  // The alert ids ride in a header of their own: the mail's headers are typed for alert emails.
  (email.headers as Record<string, unknown>)[DIGEST_ALERTS_HEADER] = input.items.map((i) => i.alertId).join(', ');
  return email;
}
