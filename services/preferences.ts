import { createHash } from 'node:crypto';
import type { CrmContact, CrmPort } from '../crm/port.js';
import { CrmError } from '../crm/port.js';
import { addressFor, isOptedOutOfEmail, isTrue } from '../domain/audience/addresses.js';
import { subscriptionForTopic, type SubscriptionMap } from '../domain/audience/subscriptions.js';
import { parseContactTimeZone } from '../domain/audience/time-zone.js';
import { AUDIENCE_PROPERTIES, type Recipient } from '../domain/audience/types.js';
import { preferenceLink } from '../domain/broadcast/preference-link.js';
import { verifyToken } from '../domain/broadcast/signed-token.js';
import {
  checkPreferenceLink,
  diffPreferences,
  parsePreferenceForm,
  parsePreferenceLinkId,
  readPreferences,
  summarizePreferences,
  topicPreference,
  writePreferences,
  type ContactPreferences,
  type PreferenceChange,
} from '../domain/preferences.js';
import type { Topic } from '../domain/topics.js';
import { CHANNELS, type Channel } from '../domain/vocabulary/index.js';
import type { PreferenceStore } from '../store/preferences.js';

/** The contact property holding the preference centre's choices (JSON; domain/preferences.ts). */
export const PREFERENCES_PROPERTY = 'rapport_preferences';

/**
 * Created at start with Rapport's other properties (main/crm-schema.ts). One JSON-valued property,
 * not one per setting: the per-topic settings follow the topic catalogue, which admins edit at run
 * time, and a property per topic and setting would mean creating CRM properties on every catalogue
 * edit (HubSpot caps custom properties per portal); one write also changes every setting at once.
 * What marketing filters on stays first-class in HubSpot: topic on/off is the subscription type
 * where HUBSPOT_SUBSCRIPTION_TYPES maps one, and "nothing at all" is rapport_unsubscribed_all.
 */
export const PREFERENCES_CRM_SCHEMA = [
  { objectType: 'contacts' as const, name: PREFERENCES_PROPERTY, label: 'Rapport: preference centre choices (JSON)' },
];

export interface PreferenceCentreDeps {
  /** The interactive adapter: a customer is waiting on the page. */
  crm: CrmPort;
  store: PreferenceStore;
  topics: { list(): Promise<Topic[]> };
  secret: string;
  publicUrl: string;
  /** HUBSPOT_SUBSCRIPTION_TYPES: topics whose on/off is a HubSpot subscription type. */
  subscriptionTypes: SubscriptionMap;
  /** PREFERENCE_LINK_TTL_DAYS. */
  linkTtlDays: number;
  now?: () => Date;
}

export interface PreferenceTopicView {
  topic: Topic;
  /** The contact's current choice (the CRM's subscription status where the topic maps to one). */
  enabled: boolean;
  channel: Channel | null;
  delivery: ContactPreferences['topics'][string]['delivery'];
}

export interface PreferenceView {
  contactId: string;
  firstName: string | null;
  /** Channels the contact can be reached on (an address for each), best first. */
  channels: Channel[];
  /** Opted out of all email in the CRM: email is not offered. */
  emailOptedOut: boolean;
  /** The time zone the CRM has for them (hs_timezone), shown as the default. */
  crmTimeZone: string | null;
  topics: PreferenceTopicView[];
  preferences: ContactPreferences;
}

export type LinkProblem = 'forged' | 'expired' | 'revoked' | 'unknown-contact';

export type Opened = { ok: true; view: PreferenceView } | { ok: false; problem: LinkProblem };

export type Saved =
  | { ok: true; view: PreferenceView; changes: PreferenceChange[]; notes: string[] }
  | { ok: false; problem: LinkProblem }
  | { ok: false; problem: 'invalid'; field: string; message: string; view: PreferenceView };

/** A Recipient of one record, for the audience's own address rules. */
function asRecipient(contact: CrmContact): Recipient {
  return {
    contactId: contact.id,
    contact: { id: contact.id, email: contact.email, properties: contact.properties },
    email: contact.email?.trim() ?? null,
    normalizedEmail: contact.email?.trim().toLowerCase() ?? null,
    listIds: [],
    mergedContacts: [],
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/**
 * The preference centre: a customer opens it from any alert (a signed per-contact link), sees their
 * current choices and saves new ones. HubSpot is the system of record: the page reads the contact,
 * its `rapport_preferences` property and its subscription statuses; a save writes the subscription
 * types, the property and a note on the timeline, then the store's cache the audience reads.
 */
export function createPreferenceCentre(deps: PreferenceCentreDeps) {
  const now = deps.now ?? (() => new Date());

  /** The contact a token names, when it is genuine, fresh and not revoked. */
  async function contactOf(
    token: string,
  ): Promise<{ ok: true; contactId: string } | { ok: false; problem: LinkProblem }> {
    const id = verifyToken(deps.secret, 'preferences', token);
    const parsed = id ? parsePreferenceLinkId(id) : null;
    if (!parsed) return { ok: false, problem: 'forged' };
    const stored = await deps.store.get(parsed.contactId);
    const verdict = checkPreferenceLink(
      parsed.issuedAt,
      now(),
      deps.linkTtlDays,
      stored?.linksRevokedBefore ? new Date(stored.linksRevokedBefore) : null,
    );
    if (!verdict.ok) return { ok: false, problem: verdict.reason === 'revoked' ? 'revoked' : 'expired' };
    return { ok: true, contactId: parsed.contactId };
  }

  /** The contact's current terms as HubSpot has them, and what the page offers. */
  async function load(contactId: string): Promise<{ view: PreferenceView; contact: CrmContact } | null> {
    const [contact, topics] = await Promise.all([deps.crm.getContact(contactId), deps.topics.list()]);
    if (!contact) return null;
    const recipient = asRecipient(contact);
    const stored = readPreferences(contact.properties[PREFERENCES_PROPERTY] ?? null);
    const emailOptedOut = isOptedOutOfEmail(recipient);
    const mapped = topics
      .map((t) => ({ id: t.id, target: subscriptionForTopic(deps.subscriptionTypes, t.id) }))
      .filter((m): m is { id: string; target: { kind: 'type'; id: string } } => m.target?.kind === 'type');
    const status =
      mapped.length > 0 && contact.email
        ? (await deps.crm.getEmailSubscriptionStatuses([contact.email])).get(contact.email.trim().toLowerCase())
        : undefined;

    const prefs: ContactPreferences = {
      ...stored,
      topics: { ...stored.topics },
      // The CRM's flag is the truth: the per-alert unsubscribe link sets it too.
      unsubscribedAll: isTrue(contact.properties[AUDIENCE_PROPERTIES.unsubscribedAll]),
    };
    // A topic with a subscription type is on or off as HubSpot says, whoever changed it there.
    for (const m of mapped) {
      const own = topicPreference(prefs, m.id);
      const enabled = !(status?.unsubscribedFrom.includes(m.target.id) ?? false);
      if (own.enabled !== enabled) prefs.topics[m.id] = { ...own, enabled };
    }
    const channels = CHANNELS.filter((c) => addressFor(recipient, c).ok);
    const view: PreferenceView = {
      contactId,
      firstName: contact.firstName,
      channels,
      emailOptedOut,
      crmTimeZone: parseContactTimeZone(contact.properties[AUDIENCE_PROPERTIES.timeZone]),
      topics: topics.map((topic) => {
        const p = topicPreference(prefs, topic.id);
        return { topic, enabled: p.enabled, channel: p.channel, delivery: p.delivery };
      }),
      preferences: prefs,
    };
    return { view, contact };
  }

  /** The cache follows HubSpot: an edit made there reaches the audience the next time the page opens. */
  async function refreshCache(view: PreferenceView): Promise<void> {
    await deps.store.save(view.contactId, view.preferences);
  }

  return {
    /** A link to the contact's preference centre, issued now. */
    linkFor(contactId: string): string | null {
      return preferenceLink(deps.secret, deps.publicUrl, contactId, now());
    },

    async open(token: string): Promise<Opened> {
      const who = await contactOf(token);
      if (!who.ok) return who;
      const loaded = await load(who.contactId);
      if (!loaded) return { ok: false, problem: 'unknown-contact' };
      await refreshCache(loaded.view);
      return { ok: true, view: loaded.view };
    },

    /**
     * Saves the posted form. Idempotent: a save that changes nothing writes nothing (no CRM call,
     * no note). HubSpot first (subscription types, then the property), then the note, then the
     * cache: a CRM failure leaves everything as it was, and the customer can save again.
     */
    async save(token: string, form: Record<string, string>): Promise<Saved> {
      const who = await contactOf(token);
      if (!who.ok) return who;
      const loaded = await load(who.contactId);
      if (!loaded) return { ok: false, problem: 'unknown-contact' };
      const { view, contact } = loaded;
      const before = view.preferences;
      let after: ContactPreferences;
      try {
        after = parsePreferenceForm(form, {
          topicIds: view.topics.map((t) => t.topic.id),
          channels: view.channels,
          current: before,
        });
      } catch (error) {
        if (error instanceof Error && error.name === 'PreferenceFormError') {
          const field = (error as Error & { field: string }).field;
          return { ok: false, problem: 'invalid', field, message: error.message, view };
        }
        throw error;
      }
      const names = Object.fromEntries(view.topics.map((t) => [t.topic.id, t.topic.name]));
      const changes = diffPreferences(before, after, names);
      const notes: string[] = [];
      if (changes.length === 0) {
        await refreshCache(view);
        return { ok: true, view, changes, notes };
      }

      // Topic on/off where a subscription type carries it: HubSpot's own status, which its own sends honour too.
      if (contact.email) {
        for (const t of view.topics) {
          const target = subscriptionForTopic(deps.subscriptionTypes, t.topic.id);
          if (target?.kind !== 'type') continue;
          const was = topicPreference(before, t.topic.id).enabled;
          const wanted = topicPreference(after, t.topic.id).enabled;
          if (was === wanted) continue;
          if (!wanted) await deps.crm.unsubscribeEmail(contact.email, target);
          else {
            try {
              await deps.crm.subscribeEmail(contact.email, target.id);
            } catch (error) {
              // HubSpot will not subscribe again an address that opted out through some APIs (v3):
              // the topic is on for Rapport's other channels, and the customer is told why email stays off.
              if (!(error instanceof CrmError && error.code === 'CRM_BAD_REQUEST')) throw error;
              notes.push(`Email about ${t.topic.name} stays off: our CRM cannot subscribe this address again.`);
            }
          }
        }
      }
      await deps.crm.updateContactProperties(contact.id, {
        [PREFERENCES_PROPERTY]: writePreferences(after),
        ...(before.unsubscribedAll !== after.unsubscribedAll
          ? { [AUDIENCE_PROPERTIES.unsubscribedAll]: String(after.unsubscribedAll) }
          : {}),
      });
      const at = now();
      // One note per change: the same change saved again within the minute (a double submit) is one note.
      await deps.crm.createEngagement({
        kind: 'note',
        idempotencyKey: `prefs:${contact.id}:${sha(`${writePreferences(before)}>${writePreferences(after)}`)}:${Math.floor(at.getTime() / 60_000)}`,
        contactId: contact.id,
        companyId: contact.companyId,
        ownerId: contact.ownerId,
        timestamp: at.toISOString(),
        title: 'Preferences changed by the customer',
        body: [
          'The customer changed their preferences in the Rapport preference centre:',
          ...changes.map((c) => `- ${c.text}`),
          '',
          'Now:',
          ...summarizePreferences(after, names).map((l) => `- ${l}`),
        ].join('\n'),
      });
      await deps.store.save(contact.id, after);
      const reloaded: PreferenceView = {
        ...view,
        preferences: after,
        topics: view.topics.map((t) => {
          const p = topicPreference(after, t.topic.id);
          return { topic: t.topic, enabled: p.enabled, channel: p.channel, delivery: p.delivery };
        }),
      };
      return { ok: true, view: reloaded, changes, notes };
    },

    /** Every preference link of the contact issued until now stops working (this one too). */
    async revoke(token: string): Promise<{ ok: true } | { ok: false; problem: LinkProblem }> {
      const who = await contactOf(token);
      if (!who.ok) return who;
      await deps.store.revokeLinks(who.contactId, now());
      return { ok: true };
    },

    /** The contact's terms in words, for the add-in and the Slack card (from the cache: no CRM call). */
    async summary(contactId: string): Promise<string[]> {
      const stored = await deps.store.get(contactId);
      if (!stored) return [];
      const names = Object.fromEntries((await deps.topics.list()).map((t) => [t.id, t.name]));
      return summarizePreferences(stored.preferences, names);
    },
  };
}

export type PreferenceCentre = ReturnType<typeof createPreferenceCentre>;
