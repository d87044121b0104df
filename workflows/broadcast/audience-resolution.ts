import { randomBytes } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import type { CrmContact, CrmPort } from '../../crm/port.js';
import { dedupeAudience } from '../../domain/audience/dedupe.js';
import type { ContactHistory } from '../../domain/audience/frequency-cap.js';
import { applyContactPolicy, type ContactPolicy } from '../../domain/audience/policy.js';
import { summarizeAudience, type AudienceSummary } from '../../domain/audience/summary.js';
import { AUDIENCE_PROPERTIES, type AudienceContact, type ListMembership } from '../../domain/audience/types.js';
import type { AlertRow } from '../../store/alerts.js';
import type { DeliveryStore } from '../../store/deliveries.js';

const MEMBERSHIP_PAGE = 250;
const CONTACT_CHUNK = 1_000;

/** Ledger tokens: random ids, signed per purpose when put into links and addresses. */
export const newTokenId = () => randomBytes(12).toString('base64url');

/**
 * Lists -> memberships (paged) -> contacts (batched, inside the CRM budget) -> dedupe -> policy ->
 * ledger. Runs inside one activity that heartbeats per page; the ledger is replaced in one
 * transaction, so a retried resolution never leaves half an audience behind.
 */
export async function resolveAudience(
  deps: { crm: CrmPort; deliveries: DeliveryStore; policy: ContactPolicy },
  alert: AlertRow,
): Promise<AudienceSummary> {
  const { crm, deliveries, policy } = deps;
  const known = new Map((await crm.listLists()).map((l) => [l.id, l.name]));

  const pairs: { listId: string; contactId: string }[] = [];
  for (const listId of alert.listIds) {
    let after: string | undefined;
    do {
      const page = await crm.getListMemberships(listId, after, MEMBERSHIP_PAGE);
      for (const contactId of page.results) pairs.push({ listId, contactId });
      after = page.after;
      heartbeat({ stage: 'memberships', listId, count: pairs.length });
    } while (after);
  }

  const ids = [...new Set(pairs.map((p) => p.contactId))];
  const contacts = new Map<string, AudienceContact>();
  for (let i = 0; i < ids.length; i += CONTACT_CHUNK) {
    for (const c of await crm.getContacts(ids.slice(i, i + CONTACT_CHUNK))) contacts.set(c.id, audienceSlice(c));
    heartbeat({ stage: 'contacts', count: contacts.size });
  }

  // A membership whose contact was deleted meanwhile simply drops out.
  const memberships: ListMembership[] = [];
  for (const p of pairs) {
    const contact = contacts.get(p.contactId);
    if (contact) memberships.push({ listId: p.listId, contact });
  }
  const dedupe = dedupeAudience(memberships);

  const history: Record<string, ContactHistory> = {};
  if (policy.frequencyCap) {
    const sends = await deliveries.recentSends(ids, policy.frequencyCap.windowHours, alert.id);
    for (const s of sends) {
      const h = (history[s.contactId] ??= { recentSends: [], inFlight: [] });
      if (s.inFlight) h.inFlight.push({ alertId: s.alertId, topic: s.topic });
      else if (s.sentAt) h.recentSends.push({ alertId: s.alertId, topic: s.topic, sentAt: s.sentAt });
    }
  }
  const result = applyContactPolicy(dedupe.recipients, policy, {
    now: new Date(),
    alert: { id: alert.id, topic: alert.topic, channels: alert.channels },
    history,
  });

  await deliveries.replaceAudience(
    alert.id,
    result.deliveries.map((d) => ({ ...d, token: newTokenId() })),
    [...dedupe.duplicates, ...result.suppressed],
  );
  const lists = alert.listIds.map((id) => ({ id, name: known.get(id) ?? id }));
  return summarizeAudience(lists, dedupe, result);
}

const AUDIENCE_PROPERTY_NAMES = Object.values(AUDIENCE_PROPERTIES);

/**
 * Only what the audience rules read: a full CRM record (every property the CRM returned, dates,
 * names) held for 100k memberships would cost the worker well over 100 MB during resolution.
 */
export function audienceSlice(contact: CrmContact): AudienceContact {
  const properties: Record<string, string | null> = {};
  for (const name of AUDIENCE_PROPERTY_NAMES) {
    const value = contact.properties[name];
    if (value !== undefined && value !== null && value !== '') properties[name] = value;
  }
  return { id: contact.id, email: contact.email, ownerId: contact.ownerId, properties };
}
