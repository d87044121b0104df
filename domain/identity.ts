/**
 * Who acts on the HTTP API: a person (a verified OpenID Connect token from the organisation's
 * identity provider) or a named service principal (an API token with scopes). Pure vocabulary,
 * shared by the configuration, the HTTP face and the tests.
 */

/** What a service principal may be allowed to do. Deciding, revising and cancelling are never among them. */
export const API_SCOPES = [
  'touches:write',
  'touches:read',
  'customers:read',
  'customers:write',
  'alerts:request',
  'alerts:read',
  'inbound:write',
  'status:read',
  'topics:read',
  'topics:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A person, keyed by a stable id (the identity provider's object id), the email kept for display and for rules written in emails. */
export interface Person {
  /** Rapport's own id of the person (`psn_…`), or the token's stable id when no directory is kept. */
  id: string;
  email: string;
  name: string | null;
}

export interface ServicePrincipal {
  name: string;
  scopes: readonly ApiScope[];
}

export type Principal = { kind: 'person'; person: Person } | { kind: 'service'; service: ServicePrincipal };

/**
 * The address a service principal requests alerts under: `.invalid` is reserved (RFC 2606), so it
 * can never receive mail nor be anyone's address, and no approver group can hold it by accident.
 */
export const serviceAddress = (name: string) => `${name}@services.rapport.invalid`;

/** How a principal is named in logs and audit rows. */
export const principalLabel = (p: Principal) => (p.kind === 'person' ? p.person.email : `service:${p.service.name}`);
