import type {
  AudienceContact,
  DedupeResult,
  DuplicateSuppression,
  ListMembership,
  ListMembershipCount,
  Recipient,
} from './types.js';

/**
 * Dedupe key for an email. Only trim and lowercase: stripping Gmail dots or "+tags" would
 * merge people who really are different mailboxes on other providers.
 */
export function normalizeEmail(email: string | null | undefined): string | null {
  if (email === null || email === undefined) return null;
  const key = email.trim().toLowerCase();
  return key === '' ? null : key;
}

const DIGITS = /^\d+$/;

/**
 * Orders CRM ids numerically when both are numeric (HubSpot ids are), so "9" < "10";
 * otherwise falls back to code-unit order, which is at least stable across runs.
 */
export function compareCrmIds(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Group<C extends AudienceContact> {
  recipient: Recipient<C>;
  /** The survivor's own first membership is the one that counts; later ones are duplicates. */
  kept: boolean;
}

/**
 * Folds list memberships into one recipient per person: first by CRM id, then by normalized
 * email across records. Linear in the number of memberships (a few Map passes), because
 * audiences of 100k memberships are expected.
 */
export function dedupeAudience<C extends AudienceContact>(memberships: readonly ListMembership<C>[]): DedupeResult<C> {
  // Pass 1: one record per CRM id (first occurrence wins; the same id is the same record).
  const byId = new Map<string, C>();
  const perList = new Map<string, number>();
  for (const { listId, contact } of memberships) {
    if (!byId.has(contact.id)) byId.set(contact.id, contact);
    perList.set(listId, (perList.get(listId) ?? 0) + 1);
  }

  // Pass 2: per email, the lowest CRM id survives, so reruns over reordered lists agree.
  const keyById = new Map<string, string | null>();
  const survivorByEmail = new Map<string, string>();
  for (const [id, contact] of byId) {
    const key = normalizeEmail(contact.email);
    keyById.set(id, key);
    if (key === null) continue;
    const current = survivorByEmail.get(key);
    if (current === undefined || compareCrmIds(id, current) < 0) survivorByEmail.set(key, id);
  }
  // Keyed by id, not by the membership's own copy, so two snapshots of one record cannot disagree.
  const survivorOf = (id: string): string => {
    const key = keyById.get(id);
    return (key ? survivorByEmail.get(key) : undefined) ?? id;
  };

  // Pass 3: walk memberships in input order so recipients and duplicates come out in a stable order.
  const groups = new Map<string, Group<C>>();
  const duplicates: DuplicateSuppression[] = [];
  // Each folded record belongs to exactly one recipient, so one Set serves them all.
  const merged = new Set<string>();
  for (const { listId, contact } of memberships) {
    const survivorId = survivorOf(contact.id);
    let group = groups.get(survivorId);
    if (group === undefined) {
      const survivor = byId.get(survivorId) ?? contact;
      const email = survivor.email?.trim() || null;
      group = {
        recipient: {
          contactId: survivorId,
          contact: survivor,
          email,
          normalizedEmail: normalizeEmail(email),
          listIds: [],
          mergedContacts: [],
        },
        kept: false,
      };
      groups.set(survivorId, group);
    }
    // A linear scan: bounded by the lists of one broadcast, and cheaper than a Set per recipient.
    if (!group.recipient.listIds.includes(listId)) group.recipient.listIds.push(listId);
    if (contact.id === survivorId && !group.kept) {
      group.kept = true;
      continue;
    }
    if (contact.id !== survivorId && !merged.has(contact.id)) {
      merged.add(contact.id);
      group.recipient.mergedContacts.push(byId.get(contact.id) ?? contact);
    }
    duplicates.push({
      reason: contact.id === survivorId ? 'DUPLICATE_CONTACT' : 'DUPLICATE_EMAIL',
      contactId: contact.id,
      listId,
      email: (byId.get(contact.id) ?? contact).email?.trim() || null,
      duplicateOf: survivorId,
    });
  }

  const lists: ListMembershipCount[] = [...perList].map(([listId, count]) => ({ listId, memberships: count }));
  return {
    recipients: [...groups.values()].map((g) => g.recipient),
    duplicates,
    totalMemberships: memberships.length,
    lists,
  };
}
