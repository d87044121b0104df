import type { PropertyIssue } from './errors.js';

interface Party {
  email?: unknown;
  firstName?: unknown;
  lastName?: unknown;
}

/** The read-only email properties HubSpot fills from hs_email_headers (its timeline's sender and recipients). */
export const HEADER_DERIVED_PROPERTIES = [
  'hs_email_from_email',
  'hs_email_from_firstname',
  'hs_email_from_lastname',
  'hs_email_to_email',
  'hs_email_to_firstname',
  'hs_email_to_lastname',
] as const;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * As HubSpot does on an email engagement write: hs_email_headers must be a JSON object
 * `{from:{email,firstName,lastName}, to:[...], cc:[...], bcc:[...]}`; from it the read-only
 * hs_email_from_* and hs_email_to_* values are set (several recipients joined with `;`).
 */
export function deriveFromEmailHeaders(properties: Record<string, string>, issues: PropertyIssue[]): void {
  const raw = properties.hs_email_headers;
  if (raw === undefined) return;
  if (raw === '') {
    for (const name of HEADER_DERIVED_PROPERTIES) properties[name] = '';
    return;
  }
  let headers: { from?: Party; to?: Party[] } | undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed as typeof headers;
  } catch {
    // Reported below.
  }
  const to = headers?.to;
  if (
    !headers ||
    (headers.from !== undefined && typeof headers.from !== 'object') ||
    (to !== undefined && !Array.isArray(to))
  ) {
    issues.push({
      name: 'hs_email_headers',
      error: 'INVALID_JSON',
      message: 'hs_email_headers must be a JSON object: {"from":{"email":...},"to":[{"email":...}]}',
    });
    return;
  }
  const recipients = (to ?? []).filter((p): p is Party => !!p && typeof p === 'object');
  properties.hs_email_from_email = text(headers.from?.email);
  properties.hs_email_from_firstname = text(headers.from?.firstName);
  properties.hs_email_from_lastname = text(headers.from?.lastName);
  properties.hs_email_to_email = recipients.map((p) => text(p.email)).join(';');
  properties.hs_email_to_firstname = recipients.map((p) => text(p.firstName)).join(';');
  properties.hs_email_to_lastname = recipients.map((p) => text(p.lastName)).join(';');
  for (const name of HEADER_DERIVED_PROPERTIES) if (/^;*$/.test(properties[name]!)) properties[name] = '';
}
