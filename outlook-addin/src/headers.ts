/**
 * Finding the Rapport alert id in an approval request. The broadcast engine stamps
 * `X-Rapport-Alert-Id: <id>` on approval emails; hosts without Mailbox 1.8 cannot read headers,
 * so the subject tag `[Rapport alert <id>]` and a body line `Rapport alert id: <id>` are fallbacks.
 */

const ALERT_ID = /^[A-Za-z0-9_-]{4,80}$/;

/** Parses a raw RFC 5322 header block (folded lines allowed) into lower-cased name -> values. */
export function parseHeaders(raw: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = raw.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[!-9;-~]+$/.test(name)) continue;
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

export function alertIdFromHeaders(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const value = parseHeaders(raw).get('x-rapport-alert-id')?.[0]?.trim();
  return value && ALERT_ID.test(value) ? value : null;
}

export function alertIdFromText(subject: string | null | undefined, body?: string | null): string | null {
  const tag = /\[Rapport alert ([A-Za-z0-9_-]{4,80})\]/.exec(subject ?? '');
  if (tag?.[1]) return tag[1];
  const line = /Rapport alert id:\s*([A-Za-z0-9_-]{4,80})/i.exec(body ?? '');
  return line?.[1] ?? null;
}

export function findAlertId(input: { headers?: string | null; subject?: string | null; body?: string | null }) {
  return alertIdFromHeaders(input.headers) ?? alertIdFromText(input.subject, input.body);
}
