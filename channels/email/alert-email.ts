import { DomainError } from '../../domain/errors.js';
import { CUSTOMER_ANSWERS, RESPONSE_KIND_LABELS, type CustomerAnswer } from '../../domain/vocabulary/index.js';
import {
  alertEmailInputSchema,
  BOUNCE_PREFIX,
  REPLY_PREFIX,
  UNSUBSCRIBE_PREFIX,
  type AlertEmailInput,
  type ParsedAlertEmailInput,
} from './alert-email-input.js';
import { greeting } from '../../domain/broadcast/greeting.js';
import { escapeHtml } from './html-escape.js';
import { renderMarkdown } from './markdown.js';

/** server/routes/responses.ts still reads the answers from here; it moves to domain/vocabulary when that file does. */
export const ALERT_ACTIONS = CUSTOMER_ANSWERS.map((action) => ({ action, label: RESPONSE_KIND_LABELS[action] }));

export const ALERT_ID_HEADER = 'X-Rapport-Alert-Id';
export const CONTACT_ID_HEADER = 'X-Rapport-Contact-Id';

export interface Mailbox {
  name?: string;
  address: string;
}

/** A nodemailer message (assignable to SendMailOptions) for one alert and one recipient. */
export interface AlertEmail {
  from: Mailbox;
  to: Mailbox;
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: {
    [ALERT_ID_HEADER]: string;
    [CONTACT_ID_HEADER]: string;
    /** Prepared: nodemailer writes it as is, on one line, so DKIM signs exactly what receivers see. */
    'List-Unsubscribe': { prepared: true; value: string };
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click';
  };
  envelope?: { from: string; to: string };
}

/**
 * Message-ID ids are dot-atoms and '.' separates alert from contact, so every byte outside
 * [A-Za-z0-9_-] is written as =XX: deterministic, reversible, and never ambiguous.
 */
function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The same alert and contact always give the same Message-ID, so a retried send is recognisable downstream. */
export function alertMessageId(alertId: string, contactId: string, domain: string): string {
  return `<alert.${idPart(alertId)}.${idPart(contactId)}@${domain}>`;
}

function parse(input: AlertEmailInput): ParsedAlertEmailInput {
  const result = alertEmailInputSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new DomainError('VALIDATION', `alert email: ${field ?? 'input'}: ${issue?.message ?? 'invalid'}`, field);
}

let lastBody: { source: string; rendered: ReturnType<typeof renderMarkdown> } | undefined;

/** A dispatch builds one alert's email for every recipient in a row: its body is rendered once. */
function renderedBody(source: string): ReturnType<typeof renderMarkdown> {
  if (lastBody?.source !== source) lastBody = { source, rendered: renderMarkdown(source) };
  return lastBody.rendered;
}

/**
 * Builds the email for one (alert, recipient). Pure: no clock, no randomness, no I/O; the
 * tokens are signed by the caller. Title and body are treated as untrusted text.
 */
export function buildAlertEmail(input: AlertEmailInput): AlertEmail {
  const { sender, alert, recipient, tokens } = parse(input);
  const domain = sender.messageIdDomain ?? sender.from.address.split('@').pop()?.toLowerCase() ?? sender.replyDomain;
  /** `a=` of `{publicUrl}/r/{token}` names the answer. */
  const actionUrl = (answer: CustomerAnswer) =>
    `${sender.publicUrl}/r/${encodeURIComponent(tokens.response)}?a=${answer}`;
  const unsubscribeUrl = `${sender.publicUrl}/u/${encodeURIComponent(tokens.unsubscribe)}`;
  const unsubscribeMailto = `mailto:${UNSUBSCRIBE_PREFIX}${tokens.unsubscribe}@${sender.replyDomain}?subject=unsubscribe`;
  const body = renderedBody(alert.body);
  const hello = greeting(recipient.firstName);
  const answers = CUSTOMER_ANSWERS.filter((a) => a !== 'unsubscribe').map((a) => ({
    label: RESPONSE_KIND_LABELS[a],
    url: actionUrl(a),
  }));
  const unsubscribe = actionUrl('unsubscribe');

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(alert.title)}</title></head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
<div style="max-width:600px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(alert.title)}</h1>
${hello ? `<p>${escapeHtml(hello)}</p>\n` : ''}${body.html}
<p style="margin:24px 0">${answers
    .map(
      (l) =>
        `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border:1px solid #1f6feb;border-radius:4px;color:#1f6feb;text-decoration:none">${escapeHtml(l.label)}</a>`,
    )
    .join('\n')}</p>
<p style="font-size:12px;color:#6b7280">Reply to this email to reach us directly. ${
    recipient.preferencesUrl
      ? `<a href="${escapeHtml(recipient.preferencesUrl)}" style="color:#6b7280">Choose what you get, how and when</a> or `
      : "Don't want these alerts? "
  }<a href="${escapeHtml(unsubscribe)}" style="color:#6b7280">Unsubscribe</a></p>
</div>
</body></html>`;

  const text = [
    alert.title,
    '',
    ...(hello ? [hello, ''] : []),
    body.text,
    '',
    ...answers.map((l) => `${l.label}: ${l.url}`),
    '',
    'Reply to this email to reach us directly.',
    ...(recipient.preferencesUrl ? [`Your preferences: ${recipient.preferencesUrl}`] : []),
    `Unsubscribe: ${unsubscribe}`,
    '',
  ].join('\n');

  return {
    from: sender.from,
    to: recipient.name ? { name: recipient.name, address: recipient.email } : { address: recipient.email },
    replyTo: `${REPLY_PREFIX}${tokens.reply}@${sender.replyDomain}`,
    subject: alert.title,
    text,
    html,
    messageId: alertMessageId(alert.id, recipient.contactId, domain),
    headers: {
      [ALERT_ID_HEADER]: alert.id,
      [CONTACT_ID_HEADER]: recipient.contactId,
      'List-Unsubscribe': { prepared: true, value: `<${unsubscribeUrl}>, <${unsubscribeMailto}>` },
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...(tokens.bounce
      ? { envelope: { from: `${BOUNCE_PREFIX}${tokens.bounce}@${sender.replyDomain}`, to: recipient.email } }
      : {}),
  };
}
