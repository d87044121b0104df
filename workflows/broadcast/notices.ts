import { ALERT_ID_HEADER } from '../../channels/email/alert-email.js';
import { escapeHtml } from '../../channels/email/html-escape.js';
import { renderMarkdown } from '../../channels/email/markdown.js';
import { unconfiguredNote, type AudienceSummary } from '../../domain/audience/summary.js';
import type { FinalSummary } from '../../domain/broadcast/final-summary.js';
import { sendTimingWords } from '../../domain/broadcast/send-timing.js';
import type { AlertRow } from '../../store/alerts.js';
import type { ResponseKind } from '../../domain/vocabulary/index.js';

/**
 * Mail to staff (approvers, requesters, reply owners). Outlook renders HTML with Word: tables for
 * layout, inline styles, no CSS classes, no scripts; every value from a request is escaped.
 */
export interface Notice {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
}

const REASON_WORDS: Record<string, string> = {
  DUPLICATE_CONTACT: 'same contact on several lists',
  DUPLICATE_EMAIL: 'same email on another record',
  OPTED_OUT: 'opted out',
  TOPIC_OFF: 'turned this topic off',
  UNSUBSCRIBED: 'unsubscribed from this kind of email',
  NO_SMS_CONSENT: 'refused email, no consent to texts',
  INVALID_EMAIL: 'invalid email',
  NO_USABLE_ADDRESS: 'no usable address',
  FREQUENCY_CAP: 'frequency cap reached',
};

function frame(title: string, rows: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;background:#ffffff;border:1px solid #d1d5db;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
${rows}
</table></td></tr></table></body></html>`;
}

const row = (html: string, style = '') => `<tr><td style="padding:12px 24px;${style}">${html}</td></tr>`;

function summaryTable(summary: AudienceSummary | null, now = new Date()): { html: string; text: string } {
  if (!summary)
    return { html: '<p>The audience is still being resolved.</p>', text: 'Audience: still being resolved.' };
  const lines: [string, string][] = [
    ['Lists', summary.lists.map((l) => `${l.name} (${l.memberships})`).join(', ')],
    ['Memberships', String(summary.totalMemberships)],
    ['Unique contacts', String(summary.uniqueContacts)],
    ['Will receive it', String(summary.deliveries)],
    [
      'Channels',
      Object.entries(summary.channelMix)
        .filter(([, n]) => n > 0)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ') || 'none',
    ],
    ...((note): [string, string][] => (note ? [['Not configured', note]] : []))(unconfiguredNote(summary)),
    ['Delayed by quiet hours', String(summary.delayedByQuietHours)],
    // When it goes out if approved now: the topic's announced slot in each contact's time zone.
    ...(summary.timing ? ([['When', sendTimingWords(summary.timing, now)]] as [string, string][]) : []),
    ...Object.entries(summary.suppressedByReason)
      .filter(([, n]) => n > 0)
      .map(([r, n]): [string, string] => [`Not sent: ${REASON_WORDS[r] ?? r}`, String(n)]),
  ];
  return {
    html: `<table role="presentation" cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;width:100%">${lines
      .map(
        ([k, v]) =>
          `<tr><td style="border-bottom:1px solid #e5e7eb;color:#6b7280;width:45%">${escapeHtml(k)}</td><td style="border-bottom:1px solid #e5e7eb">${escapeHtml(v)}</td></tr>`,
      )
      .join('')}</table>`,
    text: lines.map(([k, v]) => `${k}: ${v}`).join('\n'),
  };
}

const button = (href: string, label: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td style="background:#1f6feb;padding:10px 18px"><a href="${escapeHtml(href)}" style="color:#ffffff;text-decoration:none;font-weight:bold">${escapeHtml(label)}</a></td></tr></table>`;

function messageId(kind: string, alertId: string, extra: string, domain: string) {
  const clean = (v: string) => v.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${kind}.${clean(alertId)}.${clean(extra)}@${domain}>`;
}

export function approvalRequest(
  alert: AlertRow,
  approver: string,
  link: string,
  expiresAt: string,
  domain: string,
  reminder: boolean,
): Notice {
  const preview = renderMarkdown(alert.body);
  const summary = summaryTable(alert.summary);
  const subject = `${reminder ? 'Reminder: ' : ''}Approval needed: ${alert.title}`;
  const html = frame(
    subject,
    [
      row(`<h1 style="font-size:20px;margin:0">${escapeHtml(subject)}</h1>`, 'background:#eef2ff'),
      row(
        `<p style="margin:0"><strong>${escapeHtml(alert.requester)}</strong> asks to send this alert (topic <strong>${escapeHtml(alert.topic)}</strong>, version ${alert.version}).</p><p style="margin:8px 0 0;font-size:12px;color:#6b7280">Rapport alert id: <code>${escapeHtml(alert.id)}</code></p>`,
      ),
      row(
        `<div style="border-left:4px solid #1f6feb;padding:8px 16px"><p style="font-size:17px;margin:0 0 8px"><strong>${escapeHtml(alert.title)}</strong></p>${preview.html}</div>`,
      ),
      row(`<p style="margin:0 0 8px"><strong>Audience</strong></p>${summary.html}`),
      row(button(link, 'Review and decide')),
      row(
        `<p style="font-size:12px;color:#6b7280;margin:0">This link is for ${escapeHtml(approver)} only, works once and expires ${escapeHtml(expiresAt)}. Opening it does not decide: you confirm on the page.</p>`,
      ),
    ].join('\n'),
  );
  const text = [
    subject,
    '',
    `${alert.requester} asks to send this alert (topic ${alert.topic}, version ${alert.version}, id ${alert.id}).`,
    '',
    alert.title,
    '',
    preview.text,
    '',
    'Audience',
    summary.text,
    '',
    `Review and decide: ${link}`,
    `This link is for ${approver} only, works once and expires ${expiresAt}.`,
    '',
    // Outlook add-in fallback when the host cannot read X-Rapport-Alert-Id (outlook-addin/src/headers.ts).
    `Rapport alert id: ${alert.id}`,
  ].join('\n');
  return {
    to: approver,
    subject,
    html,
    text,
    headers: { [ALERT_ID_HEADER]: alert.id },
    messageId: messageId(reminder ? 'reminder' : 'approval', alert.id, `v${alert.version}.${approver}`, domain),
  };
}

export function requesterNotice(
  alert: AlertRow,
  kind: 'rejected' | 'changes_requested' | 'expired',
  comment: string | null,
  revisionUrl: string,
  domain: string,
): Notice {
  const subject = {
    rejected: `Rejected: ${alert.title}`,
    changes_requested: `Changes requested: ${alert.title}`,
    expired: `Approval expired: ${alert.title}`,
  }[kind];
  const by = alert.decidedBy ? ` by ${alert.decidedBy}` : '';
  const lines = {
    rejected: `Your alert was rejected${by}.`,
    changes_requested: `Changes were requested${by}. Send a revised version (PUT ${revisionUrl} with requester, title, body) and it goes back to the approvers.`,
    expired: 'Nobody decided on your alert in time; it will not be sent.',
  }[kind];
  const html = frame(
    subject,
    [
      row(`<h1 style="font-size:20px;margin:0">${escapeHtml(subject)}</h1>`),
      row(`<p style="margin:0">${escapeHtml(lines)}</p>`),
      ...(comment ? [row(`<p style="margin:0"><strong>Comment:</strong> ${escapeHtml(comment)}</p>`)] : []),
      row(
        `<p style="font-size:12px;color:#6b7280;margin:0">Alert ${escapeHtml(alert.id)}, version ${alert.version}</p>`,
      ),
    ].join('\n'),
  );
  return {
    to: alert.requester,
    subject,
    html,
    text: [subject, '', lines, ...(comment ? ['', `Comment: ${comment}`] : []), '', `Alert ${alert.id}`].join('\n'),
    headers: { [ALERT_ID_HEADER]: alert.id },
    messageId: messageId(kind, alert.id, `v${alert.version}`, domain),
  };
}

export function finalSummaryNotice(
  alert: AlertRow,
  summary: FinalSummary,
  domain: string,
  /** The requester's link to the alert's trail page. */
  trailUrl?: string,
): Notice {
  const { counts, rates } = summary;
  const lines: [string, string][] = [
    [
      'Sent',
      `${counts.sent} (${rates.delivered}%)${counts.sentAfterBounce ? `, ${counts.sentAfterBounce} of them on the fallback channel after the email bounced` : ''}`,
    ],
    ['Failed', `${counts.failed} (${rates.failed}%)`],
    ['Unconfirmed', `${counts.unconfirmed} (${rates.unconfirmed}%)`],
    ['Bounced', `${counts.bounced} (${rates.bounced}%)`],
    ['Responded', `${counts.responded} (${rates.responded}% of sent)`],
    ['Cancelled', String(counts.cancelled)],
  ];
  const subject = `Summary: ${alert.title}`;
  const html = frame(
    subject,
    [
      row(`<h1 style="font-size:20px;margin:0">${escapeHtml(subject)}</h1>`),
      row(
        `<table role="presentation" cellpadding="4" cellspacing="0" border="0" style="width:100%">${lines
          .map(([k, v]) => `<tr><td style="color:#6b7280;width:40%">${k}</td><td>${escapeHtml(v)}</td></tr>`)
          .join('')}</table>`,
      ),
      ...(trailUrl
        ? [
            row(
              `<a href="${escapeHtml(trailUrl)}" style="color:#1f6feb">See the whole trail: every approval, delivery, response and task</a>`,
            ),
          ]
        : []),
    ].join('\n'),
  );
  return {
    to: alert.requester,
    subject,
    html,
    text: [
      subject,
      '',
      ...lines.map(([k, v]) => `${k}: ${v}`),
      ...(trailUrl ? ['', `The whole trail: ${trailUrl}`] : []),
    ].join('\n'),
    headers: { [ALERT_ID_HEADER]: alert.id },
    messageId: messageId('summary', alert.id, 'final', domain),
  };
}

export function responseNotice(
  alert: AlertRow,
  to: string,
  contact: { id: string; email: string | null },
  kind: ResponseKind,
  body: string | null,
  domain: string,
  responseId: number,
): Notice {
  const who = contact.email ?? `contact ${contact.id}`;
  const subject = `${who} answered "${kind}" to: ${alert.title}`;
  const html = frame(
    subject,
    [
      row(`<h1 style="font-size:18px;margin:0">${escapeHtml(subject)}</h1>`),
      ...(body
        ? [
            row(
              `<pre style="white-space:pre-wrap;font-family:Arial,Helvetica,sans-serif;margin:0">${escapeHtml(body)}</pre>`,
            ),
          ]
        : []),
      row(
        `<p style="font-size:12px;color:#6b7280;margin:0">Alert ${escapeHtml(alert.id)}; CRM contact ${escapeHtml(contact.id)}. The response is on the contact's CRM timeline.</p>`,
      ),
    ].join('\n'),
  );
  return {
    to,
    subject,
    html,
    text: [subject, '', ...(body ? [body, ''] : []), `Alert ${alert.id}; CRM contact ${contact.id}`].join('\n'),
    headers: { [ALERT_ID_HEADER]: alert.id },
    messageId: messageId('response', alert.id, String(responseId), domain),
  };
}
