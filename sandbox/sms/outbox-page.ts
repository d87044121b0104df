import { escapeHtml } from '../../channels/email/html-escape.js';

export interface SentSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  segments: number;
  reference: string | null;
  at: string;
}

/** Every text the stand-in accepted, newest first; bodies escaped, links made clickable. */
export function outboxPage(messages: SentSms[]): string {
  const rows = [...messages]
    .reverse()
    .map((m) => {
      const body = escapeHtml(m.body)
        .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
        .replace(/\n/g, '<br>');
      return `<tr><td>${escapeHtml(m.at)}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.from)}</td><td>${body}</td><td>${m.segments}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>SMS outbox</title>
<style>body{font-family:Arial,Helvetica,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}</style></head>
<body><h1>SMS outbox (${messages.length})</h1>
<p>Texts Rapport sent to the local SMS stand-in. Nothing leaves this machine.</p>
<table><tr><th>at</th><th>to</th><th>from</th><th>text</th><th>segments</th></tr>
${rows}
</table></body></html>`;
}
