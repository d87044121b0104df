import { randomUUID } from 'node:crypto';

/**
 * Which private-app scopes each API route needs, as HubSpot gates them: any one of the listed
 * scopes is enough (HubSpot's 403 says "One or more of the following scopes are required").
 * Engagement objects (notes, calls, emails, meetings, tasks) are gated by the contacts scopes;
 * property definitions by the schema scopes of their object (reading them by the object scopes too).
 */
const CONTACT_LIKE = new Set(['contacts', '0-1', 'notes', 'calls', 'emails', 'meetings', 'tasks']);
const ENGAGEMENT_IDS: Record<string, string> = {
  '0-46': 'notes',
  '0-48': 'calls',
  '0-49': 'emails',
  '0-47': 'meetings',
  '0-27': 'tasks',
};

/** Every scope a route below can ask for: what an unrestricted sandbox token holds. */
export const SANDBOX_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.owners.read',
  'crm.lists.read',
  'crm.lists.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
] as const;

const objectFamily = (type: string) => {
  const t = ENGAGEMENT_IDS[type] ?? type;
  if (CONTACT_LIKE.has(t)) return 'contacts';
  if (t === 'companies' || t === '0-2') return 'companies';
  return null;
};

/** A read: GET, or a POST that only reads (search, batch read, list search). */
function isRead(method: string, path: string) {
  return method === 'GET' || (method === 'POST' && /\/(search|batch\/read)$/.test(path));
}

/** The scopes (any one of them) the route needs; null: none (or a route the sandbox does not gate). */
export function requiredScopes(method: string, path: string): string[] | null {
  const read = isRead(method, path);
  const verb = read ? 'read' : 'write';
  let m = /^\/crm\/v3\/objects\/([^/]+)/.exec(path);
  if (m) {
    const family = objectFamily(m[1]!);
    return family ? [`crm.objects.${family}.${verb}`] : null;
  }
  m = /^\/crm\/v4\/(?:objects|associations)\/([^/]+)/.exec(path);
  if (m) {
    const family = objectFamily(m[1]!);
    return family ? [`crm.objects.${family}.${verb}`] : null;
  }
  m = /^\/crm\/v3\/properties\/([^/]+)/.exec(path);
  if (m) {
    const family = objectFamily(m[1]!);
    if (!family) return null;
    return read ? [`crm.schemas.${family}.read`, `crm.objects.${family}.read`] : [`crm.schemas.${family}.write`];
  }
  // The legacy engagements v1 read is gated by the contacts scope, as the v3 engagement objects are.
  if (path.startsWith('/engagements/v1/')) return [`crm.objects.contacts.${verb}`];
  if (path.startsWith('/crm/v3/owners')) return ['crm.objects.owners.read'];
  if (path.startsWith('/crm/v3/lists')) return [read ? 'crm.lists.read' : 'crm.lists.write'];
  return null;
}

/** HubSpot's 403 envelope for a token without the scope a call needs. */
export function missingScopesBody(required: string[]) {
  return {
    status: 'error',
    message:
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    correlationId: randomUUID(),
    errors: [
      {
        message: 'One or more of the following scopes are required.',
        context: { requiredGranularScopes: required },
      },
    ],
    links: { scopes: 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  };
}
