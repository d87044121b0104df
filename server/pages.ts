import { escapeHtml } from '../channels/email/html-escape.js';

/** The pages' one style sheet; its hash is the only style their Content-Security-Policy allows (server/middleware/security-headers.ts). */
export const PAGE_CSS = `body{font-family:Arial,Helvetica,sans-serif;max-width:640px;margin:32px auto;padding:0 16px;color:#1f2933;line-height:1.5}
button{padding:8px 16px;margin:4px 8px 4px 0;font-size:15px;cursor:pointer}textarea{width:100%;min-height:80px}
.box{border-left:4px solid #1f6feb;padding:8px 16px;background:#f8fafc}.muted{color:#6b7280;font-size:13px}.inline{display:inline}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}`;

/** Small server-rendered pages for links opened from email: no scripts, every value escaped. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

export const esc = escapeHtml;
