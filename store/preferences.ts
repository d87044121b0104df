import {
  deliveryModeFor,
  readPreferences,
  writePreferences,
  type ContactPreferences,
  type DeliveryMode,
} from '../domain/preferences.js';
import { iso, type Db } from './db.js';

export interface StoredPreferences {
  contactId: string;
  preferences: ContactPreferences;
  updatedAt: string;
  /** Preference links issued before this instant no longer work; null: none revoked. */
  linksRevokedBefore: string | null;
}

interface Row {
  contactId: string;
  preferences: unknown;
  updatedAt: unknown;
  linksRevokedBefore: unknown;
}

const COLUMNS = `contact_id as "contactId", preferences, updated_at as "updatedAt",
  links_revoked_before as "linksRevokedBefore"`;
/** Ids per query: a 65,000-contact audience is read in a few round trips. */
const CHUNK = 5_000;

const normalise = (r: Row): StoredPreferences => ({
  contactId: r.contactId,
  preferences: readPreferences(r.preferences),
  updatedAt: iso(r.updatedAt)!,
  linksRevokedBefore: iso(r.linksRevokedBefore),
});

/**
 * The cache of the contacts' own terms (migration 17). HubSpot is the system of record: the
 * preference centre writes there first, then here; the audience and the digests read here.
 */
export function createPreferenceStore(db: Pick<Db, 'query'>) {
  return {
    async get(contactId: string): Promise<StoredPreferences | null> {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from contact_preferences where contact_id = $1`, [
        contactId,
      ]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    /** The terms of every contact that set any, by contact id (others are absent). */
    async forContacts(contactIds: readonly string[]): Promise<Map<string, ContactPreferences>> {
      const out = new Map<string, ContactPreferences>();
      for (let i = 0; i < contactIds.length; i += CHUNK) {
        const { rows } = await db.query<Row>(
          `select ${COLUMNS} from contact_preferences where contact_id = any($1::text[])`,
          [contactIds.slice(i, i + CHUNK)],
        );
        for (const r of rows) out.set(r.contactId, readPreferences(r.preferences));
      }
      return out;
    },

    /**
     * Replaces the contact's terms; `changed` false when they were already these (the write is
     * skipped, so saving twice is saving once).
     */
    async save(contactId: string, preferences: ContactPreferences): Promise<{ changed: boolean }> {
      const text = writePreferences(preferences);
      const { rows } = await db.query<{ contactId: string }>(
        `insert into contact_preferences (contact_id, preferences) values ($1, $2::jsonb)
         on conflict (contact_id) do update set preferences = excluded.preferences, updated_at = now()
           where contact_preferences.preferences is distinct from excluded.preferences
         returning contact_id as "contactId"`,
        [contactId, text],
      );
      return { changed: rows.length > 0 };
    },

    /** Every preference link of the contact issued before `at` stops working. */
    async revokeLinks(contactId: string, at: Date): Promise<void> {
      await db.query(
        `insert into contact_preferences (contact_id, preferences, links_revoked_before) values ($1, '{}'::jsonb, $2)
         on conflict (contact_id) do update set links_revoked_before = greatest(
           coalesce(contact_preferences.links_revoked_before, excluded.links_revoked_before), excluded.links_revoked_before)`,
        [contactId, at.toISOString()],
      );
    },

    /**
     * Per contact, how `topic`'s alerts reach them: 'immediate', 'daily' or 'weekly' (topic off
     * counts as immediate here; the audience suppresses it). Contacts without terms are immediate.
     * What digests are built on.
     */
    async deliveryModes(topic: string, contactIds: readonly string[]): Promise<Map<string, DeliveryMode>> {
      const prefs = await this.forContacts(contactIds);
      const out = new Map<string, DeliveryMode>();
      for (const id of contactIds) {
        const p = prefs.get(id);
        out.set(id, p ? deliveryModeFor(p, topic) : 'immediate');
      }
      return out;
    },

    /** Contacts whose `topic` is in `mode` (a digest slot's audience), up to `limit`, by contact id. */
    async contactsInMode(topic: string, mode: Exclude<DeliveryMode, 'immediate'>, limit = 10_000): Promise<string[]> {
      const { rows } = await db.query<{ contactId: string }>(
        `select contact_id as "contactId" from contact_preferences
         where preferences->'topics'->$1->>'delivery' = $2
           and coalesce((preferences->'topics'->$1->>'enabled')::boolean, true)
           and not coalesce((preferences->>'unsubscribedAll')::boolean, false)
         order by contact_id limit $3`,
        [topic.trim().toLowerCase(), mode, limit],
      );
      return rows.map((r) => r.contactId);
    },
  };
}

export type PreferenceStore = ReturnType<typeof createPreferenceStore>;
