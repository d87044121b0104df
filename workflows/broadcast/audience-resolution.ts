import { randomBytes } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import type { CrmContact, CrmPort } from '../../crm/port.js';
import { isValidEmail } from '../../domain/audience/addresses.js';
import { dedupeAudience } from '../../domain/audience/dedupe.js';
import { capLookbackHours, contactHistories, type ContactHistory } from '../../domain/audience/frequency-cap.js';
import { applyContactPolicy, type ContactPolicy } from '../../domain/audience/policy.js';
import { summarizeAudience, type AudienceSummary } from '../../domain/audience/summary.js';
import {
  subscriptionForTopic,
  type EmailSubscriptionStatus,
  type SubscriptionTarget,
} from '../../domain/audience/subscriptions.js';
import {
  AUDIENCE_PROPERTIES,
  type AudienceContact,
  type Delivery,
  type DuplicateSuppression,
  type ListMembership,
  type PolicySuppression,
} from '../../domain/audience/types.js';
import type { Channel } from '../../domain/vocabulary/index.js';
import type { AlertRow } from '../../store/alerts.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { PreferenceStore } from '../../store/preferences.js';
import type { ContactPreferences } from '../../domain/preferences.js';

const MEMBERSHIP_PAGE = 250;
const CONTACT_CHUNK = 1_000;
const SUBSCRIPTION_CHUNK = 100;

/** Ledger tokens: random ids, signed per purpose when put into links and addresses. */
export const newTokenId = () => randomBytes(12).toString('base64url');

/**
 * The CRM's subscription preferences of every address the alert may email, inside the CRM budget
 * (the adapter batches). Only addresses with something to honour are kept.
 */
async function subscriptionStatuses(
  crm: CrmPort,
  emails: (string | null)[],
  target: SubscriptionTarget | null,
): Promise<{ target: SubscriptionTarget | null; byEmail: Record<string, EmailSubscriptionStatus> }> {
  // An address no mail server would take gets no email anyway; HubSpot would refuse to look it up.
  const wanted = [...new Set(emails.filter((e): e is string => e !== null && isValidEmail(e)))];
  const byEmail: Record<string, EmailSubscriptionStatus> = {};
  // 100 at a time: where HubSpot only reads them one per request (v3), a chunk still heartbeats in time.
  for (let i = 0; i < wanted.length; i += SUBSCRIPTION_CHUNK) {
    const statuses = await crm.getEmailSubscriptionStatuses(wanted.slice(i, i + SUBSCRIPTION_CHUNK));
    for (const [email, status] of statuses) {
      if (status.optedOutOfAll || status.unsubscribedFrom.length > 0) byEmail[email] = status;
    }
    heartbeat({ stage: 'subscriptions', count: Math.min(i + SUBSCRIPTION_CHUNK, wanted.length) });
  }
  return { target, byEmail };
}

export interface AudienceDeps {
  crm: CrmPort;
  deliveries: DeliveryStore;
  policy: ContactPolicy;
  /** Channels this worker has an adapter for; the others are counted (and sent) under the fallback. */
  workingChannels?: Channel[];
  /** The contacts' own terms (preference centre cache); unset: nobody set any. */
  preferences?: Pick<PreferenceStore, 'forContacts'>;
}

/** The longest window a customer's own cap can have (domain/preferences.ts CAP_WINDOWS): a week. */
const CUSTOMER_CAP_LOOKBACK_HOURS = 168;

/**
 * Lists -> memberships (paged) -> contacts (batched, inside the CRM budget) -> dedupe -> policy ->
 * ledger. Runs inside one activity that heartbeats per page; the ledger is replaced in one
 * transaction, so a retried resolution never leaves half an audience behind.
 */
export async function resolveAudience(deps: AudienceDeps, alert: AlertRow): Promise<AudienceSummary> {
  const { summary, rows, suppressed } = await decideAudience(deps, alert);
  // Tokens are set in place: a copy of 65k delivery rows would be the resolution's largest allocation.
  const withTokens = rows as (Delivery & { token: string })[];
  for (const row of withTokens) row.token = newTokenId();
  await deps.deliveries.replaceAudience(alert.id, withTokens, suppressed);
  return summary;
}

/**
 * Everything up to the ledger rows. Its own function so that the memberships, contacts and
 * recipients it holds are garbage once it returns, before the ledger is written.
 */
async function decideAudience(
  deps: AudienceDeps,
  alert: AlertRow,
): Promise<{ summary: AudienceSummary; rows: Delivery[]; suppressed: (DuplicateSuppression | PolicySuppression)[] }> {
  const { crm, deliveries, policy } = deps;
  const known = new Map((await crm.listLists()).map((l) => [l.id, l.name]));
  const { memberships, contactIds } = await loadMemberships(crm, alert.listIds);
  const dedupe = dedupeAudience(memberships);
  memberships.length = 0;

  // One query per 5,000 contacts: only those who set terms come back.
  const preferences: Record<string, ContactPreferences> = deps.preferences
    ? Object.fromEntries(await deps.preferences.forContacts(contactIds))
    : {};
  const customerCaps = Object.values(preferences).some((p) => p.frequencyCap !== null);
  const lookback = Math.max(
    policy.frequencyCap ? capLookbackHours(policy.frequencyCap) : 0,
    customerCaps ? CUSTOMER_CAP_LOOKBACK_HOURS : 0,
  );
  const history: Record<string, ContactHistory> =
    lookback > 0 ? contactHistories(await deliveries.recentSends(contactIds, lookback, alert.id)) : {};
  // Only a topic mapped to a subscription type needs the statuses: "opted out of all email" is the
  // contact's hs_email_optout, already read with the contact. Reading them anyway cost 2 requests per
  // 100 addresses (v4; one per address on v3): 65,000 recipients took 214 s more to resolve.
  const target = subscriptionForTopic(policy.subscriptionTypes ?? {}, alert.topic);
  const subscriptions =
    alert.channels.includes('email') && target?.kind === 'type'
      ? await subscriptionStatuses(
          crm,
          dedupe.recipients.map((r) => r.normalizedEmail),
          target,
        )
      : undefined;
  const result = applyContactPolicy(dedupe.recipients, policy, {
    now: new Date(),
    alert: { id: alert.id, topic: alert.topic, channels: alert.channels },
    history,
    ...(subscriptions ? { subscriptions } : {}),
    ...(deps.workingChannels ? { workingChannels: deps.workingChannels } : {}),
    ...(Object.keys(preferences).length > 0 ? { preferences } : {}),
  });
  const lists = alert.listIds.map((id) => ({ id, name: known.get(id) ?? id }));
  return {
    summary: summarizeAudience(lists, dedupe, result),
    rows: result.deliveries,
    suppressed: [...dedupe.duplicates, ...result.suppressed],
  };
}

/**
 * Lists -> memberships (paged) -> contacts (batched, inside the CRM budget), in list order. A
 * membership whose contact was deleted meanwhile simply drops out. Each contact id is one string
 * however many lists name it.
 */
async function loadMemberships(
  crm: CrmPort,
  listIds: readonly string[],
): Promise<{ memberships: ListMembership[]; contactIds: string[] }> {
  const unique = new Map<string, string>();
  const pairs: { listId: string; contactId: string }[] = [];
  for (const listId of listIds) {
    let after: string | undefined;
    do {
      const page = await crm.getListMemberships(listId, after, MEMBERSHIP_PAGE);
      for (const id of page.results) {
        let contactId = unique.get(id);
        if (contactId === undefined) unique.set(id, (contactId = id));
        pairs.push({ listId, contactId });
      }
      after = page.after;
      heartbeat({ stage: 'memberships', listId, count: pairs.length });
    } while (after);
  }

  const contactIds = [...unique.keys()];
  unique.clear();
  const contacts = new Map<string, AudienceContact>();
  for (let i = 0; i < contactIds.length; i += CONTACT_CHUNK) {
    for (const c of await crm.getContacts(contactIds.slice(i, i + CONTACT_CHUNK))) contacts.set(c.id, audienceSlice(c));
    heartbeat({ stage: 'contacts', count: contacts.size });
  }

  const memberships: ListMembership[] = [];
  for (const p of pairs) {
    const contact = contacts.get(p.contactId);
    if (contact) memberships.push({ listId: p.listId, contact });
  }
  return { memberships, contactIds };
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
  return { id: contact.id, email: contact.email, ownerId: contact.ownerId, firstName: contact.firstName, properties };
}
