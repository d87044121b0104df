import type { ParsedMail } from 'mailparser';
import type { CaughtMessage } from './caught-message.js';
import { escapeHtml as e } from './html-escape.js';

/**
 * Everything that came in a message is escaped before it reaches the page; the HTML body is
 * shown only inside a sandboxed iframe (no scripts, opaque origin) and the page's CSP, which
 * the srcdoc frame inherits, blocks remote loads such as tracking pixels.
 */
export const OUTBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}td.mono,pre{font:12px ui-monospace,monospace}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.75rem}iframe{width:100%;height:32rem;border:1px solid #ccc}
.muted{color:#777}nav a{margin-right:1rem}`;

/** The list page: '/' standalone, the mount path itself (no trailing slash, as hono routes it) when mounted. */
function home(base: string): string {
  return base || '/';
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export interface ListPageInput {
  base: string;
  to: string;
  limit: number;
  offset: number;
  total: number;
  count: number;
  duplicates: number;
  messages: CaughtMessage[];
}

export function listPage(input: ListPageInput): string {
  const { base, to, limit, offset, total } = input;
  const rows = input.messages
    .map(
      (m) => `<tr><td class="mono">${e(m.receivedAt)}</td><td>${e(m.from)}</td><td>${e(m.recipients.join(', '))}</td>
<td><a href="${e(`${base}/messages/${encodeURIComponent(m.id)}`)}">${e(m.subject || '(no subject)')}</a></td><td class="mono">${e(m.messageId ?? '')}</td></tr>`,
    )
    .join('\n');
  const pageLink = (label: string, at: number) =>
    `<a href="${e(`${home(base)}?${new URLSearchParams({ ...(to ? { to } : {}), limit: String(limit), offset: String(at) }).toString()}`)}">${label}</a>`;
  const nav = [
    offset > 0 ? pageLink('&larr; newer', Math.max(0, offset - limit)) : '',
    offset + limit < total ? pageLink('older &rarr;', offset + limit) : '',
  ].join('');
  return page(
    'Outbox',
    `<h1>Outbox</h1>
<form method="get" action="${e(home(base))}"><input name="to" value="${e(to)}" placeholder="recipient address" size="40"> <button>Search</button></form>
<p>${total} shown of ${input.count} messages caught${input.duplicates ? `, <strong>${input.duplicates} recipient(s) got the same alert twice</strong>` : ''}. <span class="muted">JSON: <code>GET ${e(base)}/api/messages?to=</code>, <code>DELETE ${e(base)}/api/messages</code></span></p>
<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th>Message-ID</th></tr></thead><tbody>
${rows || '<tr><td colspan="5" class="muted">No messages.</td></tr>'}
</tbody></table><nav>${nav}</nav>`,
  );
}

export function messagePage(
  base: string,
  message: CaughtMessage,
  parsed: ParsedMail | undefined,
  raw: Buffer | undefined,
): string {
  const summary: [string, string | undefined][] = [
    ['From', message.from],
    ['To', message.to],
    ['Envelope', `${message.envelopeFrom || '<>'} → ${message.recipients.join(', ')}`],
    ['Date', message.date],
    ['Received', message.receivedAt],
    ['Message-ID', message.messageId],
    ['Alert', message.alertId],
    ['Contact', message.contactId],
  ];
  const details = summary
    .filter(([, value]) => value)
    .map(([key, value]) => `<tr><th>${e(key)}</th><td>${e(value)}</td></tr>`)
    .join('');
  const headers = (parsed?.headerLines ?? []).map((h) => e(h.line)).join('\n');
  const html = typeof parsed?.html === 'string' ? parsed.html : undefined;
  const body = parsed
    ? `${html !== undefined ? `<h2>HTML</h2><iframe sandbox="" referrerpolicy="no-referrer" srcdoc="${e(html)}" title="HTML body"></iframe>` : ''}
<h2>Text</h2><pre>${e(parsed.text ?? '')}</pre>
<h2>Headers</h2><pre>${headers}</pre>
<h2>Source</h2><p><a href="${e(`${base}/messages/${encodeURIComponent(message.id)}/raw`)}">Download .eml</a></p><pre>${e(raw?.toString('utf8') ?? '')}</pre>`
    : '<p class="muted">The body of this message was not kept (keepBodies) and there is no data dir to read it from.</p>';
  return page(
    message.subject || '(no subject)',
    `<nav><a href="${e(home(base))}">&larr; Outbox</a></nav><h1>${e(message.subject || '(no subject)')}</h1><table>${details}</table>${body}`,
  );
}

export function notFoundPage(base: string, what: string): string {
  return page('Not found', `<nav><a href="${e(home(base))}">&larr; Outbox</a></nav><p>${e(what)}</p>`);
}
