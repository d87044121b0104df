import type { AudienceContact, ListMembership } from '../../../../domain/audience/index.js';

export function contact(
  id: string,
  email: string | null,
  properties: Record<string, string | null> = {},
  ownerId: string | null = null,
): AudienceContact {
  return { id, email, ownerId, properties };
}

export function on(listId: string, c: AudienceContact): ListMembership {
  return { listId, contact: c };
}
