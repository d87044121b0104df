import { ALERT_ID_HEADER } from '../../channels/email/alert-email.js';
import { escapeHtml } from '../../channels/email/html-escape.js';
import { RESPONSE_KIND_LABELS, RESPONSE_KINDS, type ResponseKind } from '../../domain/vocabulary/index.js';
import type { AlertRow } from '../../store/alerts.js';
import type { DigestItem } from '../../store/owner-digests.js';
import type { Notice } from './notices.js';

/** Longest excerpt of a reply a digest line quotes; the whole reply is on the trail and the CRM timeline. */
const EXCERPT = 300;

/**
 * One owner digest: the responses to an alert that came after the owner's first few, listed one
 * line each, with links to all of the alert's responses (the owner's trail link, and the dashboard).
 * Staff mail like the other notices: tables, inline styles, every value escaped.
 */
export function ownerDigestNotice(
  alert: AlertRow,
  to: string,
  items: readonly DigestItem[],
  links: { trailUrl?: string; dashboardUrl: string },
  domain: string,
  digestId: number,
): Notice {
  const subject = `${items.length} more response${items.length === 1 ? '' : 's'} to: ${alert.title}`;
  const lines = items.map((i) => {
    const who = i.email ?? `contact ${i.contactId}`;
    const label = (RESPONSE_KINDS as readonly string[]).includes(i.kind)
      ? RESPONSE_KIND_LABELS[i.kind as ResponseKind]
      : i.kind;
    const body = i.body ? i.body.replace(/\s+/g, ' ').trim().slice(0, EXCERPT) : '';
    return { who, label, body, at: i.receivedAt };
  });
  const rows = lines
    .map(
      (l) =>
        `<tr><td style="border-bottom:1px solid #e5e7eb;padding:6px 4px">${escapeHtml(l.who)}</td><td style="border-bottom:1px solid #e5e7eb;padding:6px 4px">${escapeHtml(l.label)}</td><td style="border-bottom:1px solid #e5e7eb;padding:6px 4px">${escapeHtml(l.body)}</td></tr>`,
    )
    .join('');
  const link = links.trailUrl ?? links.dashboardUrl;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1f2933">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;background:#ffffff;border:1px solid #d1d5db">
<tr><td style="padding:12px 24px"><h1 style="font-size:18px;margin:0">${escapeHtml(subject)}</h1></td></tr>
<tr><td style="padding:12px 24px"><table role="presentation" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse"><tr><th align="left">Customer</th><th align="left">Answer</th><th align="left">Reply</th></tr>${rows}</table></td></tr>
<tr><td style="padding:12px 24px"><a href="${escapeHtml(link)}" style="color:#1f6feb">All responses to this alert</a></td></tr>
<tr><td style="padding:12px 24px;font-size:12px;color:#6b7280">Alert ${escapeHtml(alert.id)}. Each response is on its contact's CRM timeline.</td></tr>
</table></body></html>`;
  const text = [
    subject,
    '',
    ...lines.map((l) => `- ${l.who}: ${l.label}${l.body ? ` — ${l.body}` : ''}`),
    '',
    `All responses to this alert: ${link}`,
    ...(links.trailUrl ? [`Dashboard: ${links.dashboardUrl}`] : []),
    `Alert ${alert.id}`,
  ].join('\n');
  return {
    to,
    subject,
    html,
    text,
    headers: { [ALERT_ID_HEADER]: alert.id },
    messageId: `<owner-digest.${alert.id}.${digestId}@${domain}>`,
  };
}
