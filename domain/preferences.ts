import { z } from 'zod';
import { capSchema, type Cap } from './audience/frequency-cap.js';
import { quietHoursEnd, quietHoursSchema, type QuietHours } from './audience/quiet-hours.js';
import { canonicalTimeZone } from './audience/time-zone.js';
import { TOPIC_ID } from './topics.js';
import { CHANNEL_LABELS, channelSchema, type Channel } from './vocabulary/index.js';

/**
 * A customer's own terms, set in the preference centre (a signed link in every alert): per topic
 * of the catalogue on or off, the channel and the delivery; the contact's time zone and quiet
 * hours; a stricter frequency cap; unsubscribe from everything. HubSpot keeps them (subscription
 * types for topic on/off where configured, the contact property `rapport_preferences` for the
 * rest); Rapport caches them in the store (`contact_preferences`) for the audience and digests.
 */

/** How a topic's alerts reach the contact: each as it happens, or one digest a day or a week. */
export const DELIVERY_MODES = ['immediate', 'daily', 'weekly'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export const deliveryModeSchema = z.enum(DELIVERY_MODES, {
  message: `delivery must be one of ${DELIVERY_MODES.join(', ')}`,
});
export const DELIVERY_MODE_LABELS: Readonly<Record<DeliveryMode, string>> = {
  immediate: 'As it happens',
  daily: 'Daily digest',
  weekly: 'Weekly digest',
};

/** One topic as the contact set it. `channel` null: the contact's usual channel (the CRM's preferred one). */
export const topicPreferenceSchema = z.strictObject({
  enabled: z.boolean(),
  channel: channelSchema.nullable().default(null),
  delivery: deliveryModeSchema.default('immediate'),
});
export type TopicPreference = z.output<typeof topicPreferenceSchema>;

/** A topic the contact never set: on, usual channel, as it happens. */
export const DEFAULT_TOPIC_PREFERENCE: Readonly<TopicPreference> = Object.freeze({
  enabled: true,
  channel: null,
  delivery: 'immediate',
});

const zoneSchema = z.string().transform((zone, ctx) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) {
    ctx.addIssue({ code: 'custom', message: `"${zone}" is not an IANA time zone, e.g. Europe/London` });
    return z.NEVER;
  }
  return canonical;
});

/** The customer's cap: at most `maxPerWindow` alerts per `windowHours`, on top of the organisation's. */
export const customerCapSchema = capSchema.extend({ maxPerWindow: z.number().int().min(1).max(100) });

export const contactPreferencesSchema = z.object({
  /** Topic id -> the contact's choice; topics not named are {@link DEFAULT_TOPIC_PREFERENCE}. */
  topics: z
    .record(z.string().regex(TOPIC_ID, { message: 'topics: keys must be topic ids' }), topicPreferenceSchema)
    .default({}),
  /** The contact's own zone; null: the CRM's (hs_timezone), else the deployment's default. */
  timeZone: zoneSchema.nullable().default(null),
  /** Held in addition to the organisation's quiet hours (the later end wins); null: none of their own. */
  quietHours: quietHoursSchema.nullable().default(null),
  /** Checked in addition to the organisation's cap; null: none of their own. */
  frequencyCap: customerCapSchema.nullable().default(null),
  /** Nothing at all (the CRM's rapport_unsubscribed_all). */
  unsubscribedAll: z.boolean().default(false),
});
export type ContactPreferences = z.output<typeof contactPreferencesSchema>;

export const EMPTY_PREFERENCES: ContactPreferences = Object.freeze({
  topics: {},
  timeZone: null,
  quietHours: null,
  frequencyCap: null,
  unsubscribedAll: false,
}) as ContactPreferences;

/**
 * The `rapport_preferences` property as stored in the CRM (JSON text) or the store (jsonb). Anything
 * unreadable (a hand edit in HubSpot, a future version) is no preferences at all, never a crash:
 * the audience then falls back to the CRM's own opt-outs, which always apply.
 */
export function readPreferences(raw: unknown): ContactPreferences {
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return EMPTY_PREFERENCES;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return EMPTY_PREFERENCES;
    }
  }
  if (value === null || value === undefined) return EMPTY_PREFERENCES;
  const parsed = contactPreferencesSchema.safeParse(value);
  return parsed.success ? parsed.data : EMPTY_PREFERENCES;
}

/** Stable JSON (sorted topic keys, defaults dropped), so the same choices are the same text. */
export function writePreferences(p: ContactPreferences): string {
  const topics: Record<string, TopicPreference> = {};
  for (const id of Object.keys(p.topics).sort()) {
    const t = p.topics[id]!;
    if (!samePreference(t, DEFAULT_TOPIC_PREFERENCE)) topics[id] = { ...t };
  }
  return JSON.stringify({
    topics,
    timeZone: p.timeZone,
    quietHours: p.quietHours,
    frequencyCap: p.frequencyCap,
    unsubscribedAll: p.unsubscribedAll,
  });
}

const samePreference = (a: TopicPreference, b: TopicPreference) =>
  a.enabled === b.enabled && a.channel === b.channel && a.delivery === b.delivery;

/** The contact's choice for one topic (the default when they never set it). */
export function topicPreference(p: ContactPreferences, topicId: string): TopicPreference {
  const key = topicId.trim().toLowerCase();
  return Object.hasOwn(p.topics, key) ? p.topics[key]! : DEFAULT_TOPIC_PREFERENCE;
}

/** The delivery mode of one topic for one contact: what digests are built on. */
export function deliveryModeFor(p: ContactPreferences, topicId: string): DeliveryMode {
  const t = topicPreference(p, topicId);
  return t.enabled ? t.delivery : 'immediate';
}

// --- the form ----------------------------------------------------------------------------------

/** The form field names of the preference page, in one place for the page and the parser. */
export const FORM_FIELDS = {
  topicEnabled: (id: string) => `topic.${id}.enabled`,
  topicChannel: (id: string) => `topic.${id}.channel`,
  topicDelivery: (id: string) => `topic.${id}.delivery`,
  timeZone: 'timeZone',
  quietStart: 'quietStart',
  quietEnd: 'quietEnd',
  capMax: 'capMax',
  capWindow: 'capWindow',
  unsubscribeAll: 'unsubscribeAll',
} as const;

/** Windows a customer may pick for their cap, in hours. */
export const CAP_WINDOWS: readonly { hours: number; label: string }[] = [
  { hours: 24, label: 'per day' },
  { hours: 168, label: 'per week' },
];

export class PreferenceFormError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PreferenceFormError';
  }
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The posted form -> preferences. Only the catalogue's topics and the channels the contact can be
 * reached on are taken; anything else (an extra field, a channel they have no address for) is a
 * {@link PreferenceFormError} naming the field. Topics of the catalogue missing from the form keep
 * their current setting, so an old page posted after an admin added a topic changes nothing else.
 */
export function parsePreferenceForm(
  form: Record<string, string>,
  context: { topicIds: readonly string[]; channels: readonly Channel[]; current: ContactPreferences },
): ContactPreferences {
  const str = (name: string) => (Object.hasOwn(form, name) ? (form[name] ?? '').trim() : undefined);
  const topics: Record<string, TopicPreference> = { ...context.current.topics };
  for (const id of context.topicIds) {
    const enabled = str(FORM_FIELDS.topicEnabled(id));
    if (enabled === undefined) continue;
    if (enabled !== 'on' && enabled !== 'off')
      throw new PreferenceFormError(FORM_FIELDS.topicEnabled(id), 'must be on or off');
    const channelRaw = str(FORM_FIELDS.topicChannel(id)) ?? '';
    let channel: Channel | null = null;
    if (channelRaw !== '' && channelRaw !== 'default') {
      const parsed = channelSchema.safeParse(channelRaw);
      if (!parsed.success || !context.channels.includes(parsed.data))
        throw new PreferenceFormError(FORM_FIELDS.topicChannel(id), 'is not a channel you can be reached on');
      channel = parsed.data;
    }
    const deliveryRaw = str(FORM_FIELDS.topicDelivery(id)) || 'immediate';
    const delivery = deliveryModeSchema.safeParse(deliveryRaw);
    if (!delivery.success)
      throw new PreferenceFormError(FORM_FIELDS.topicDelivery(id), delivery.error.issues[0]!.message);
    topics[id] = { enabled: enabled === 'on', channel, delivery: delivery.data };
  }

  const zoneRaw = str(FORM_FIELDS.timeZone) ?? '';
  let timeZone: string | null = null;
  if (zoneRaw !== '') {
    timeZone = canonicalTimeZone(zoneRaw);
    if (timeZone === null) throw new PreferenceFormError(FORM_FIELDS.timeZone, 'is not a time zone we know');
  }

  const start = str(FORM_FIELDS.quietStart) ?? '';
  const end = str(FORM_FIELDS.quietEnd) ?? '';
  let quietHours: QuietHours | null = null;
  if (start !== '' || end !== '') {
    if (!CLOCK.test(start)) throw new PreferenceFormError(FORM_FIELDS.quietStart, 'must be a time such as 21:00');
    if (!CLOCK.test(end)) throw new PreferenceFormError(FORM_FIELDS.quietEnd, 'must be a time such as 08:00');
    quietHours = start === end ? null : { start, end };
  }

  const maxRaw = str(FORM_FIELDS.capMax) ?? '';
  let frequencyCap: Cap | null = null;
  if (maxRaw !== '' && maxRaw !== 'none') {
    const max = Number(maxRaw);
    if (!/^\d{1,3}$/.test(maxRaw) || max < 1 || max > 100)
      throw new PreferenceFormError(FORM_FIELDS.capMax, 'must be a whole number from 1 to 100');
    const hours = Number(str(FORM_FIELDS.capWindow) ?? '168');
    if (!CAP_WINDOWS.some((w) => w.hours === hours))
      throw new PreferenceFormError(FORM_FIELDS.capWindow, 'must be per day or per week');
    frequencyCap = { maxPerWindow: max, windowHours: hours };
  }

  const unsub = str(FORM_FIELDS.unsubscribeAll);
  return {
    topics,
    timeZone,
    quietHours,
    frequencyCap,
    unsubscribedAll: unsub === 'on' || unsub === 'yes',
  };
}

// --- what changed ------------------------------------------------------------------------------

export interface PreferenceChange {
  /** A topic id, or timeZone / quietHours / frequencyCap / unsubscribedAll. */
  what: string;
  /** In the customer's words, e.g. "Interest rates: off", "Quiet hours: 22:00-07:00". */
  text: string;
}

const capText = (c: Cap | null) =>
  c === null
    ? 'none of your own'
    : `at most ${c.maxPerWindow} ${CAP_WINDOWS.find((w) => w.hours === c.windowHours)?.label ?? `per ${c.windowHours} h`}`;
const quietText = (q: QuietHours | null) => (q === null ? 'none of your own' : `${q.start}-${q.end}`);

export function describeTopicPreference(t: TopicPreference): string {
  if (!t.enabled) return 'off';
  const channel = t.channel ? CHANNEL_LABELS[t.channel] : 'usual channel';
  return `on, ${channel}, ${DELIVERY_MODE_LABELS[t.delivery].toLowerCase()}`;
}

/**
 * What a save changes, in words (the page's "what changed", the CRM timeline note). Empty: the
 * save changes nothing, and nothing is written anywhere (saving twice is the same as once).
 */
export function diffPreferences(
  before: ContactPreferences,
  after: ContactPreferences,
  topicNames: Readonly<Record<string, string>> = {},
): PreferenceChange[] {
  const changes: PreferenceChange[] = [];
  const ids = [...new Set([...Object.keys(before.topics), ...Object.keys(after.topics)])].sort();
  for (const id of ids) {
    const a = topicPreference(before, id);
    const b = topicPreference(after, id);
    if (!samePreference(a, b))
      changes.push({ what: id, text: `${topicNames[id] ?? id}: ${describeTopicPreference(b)}` });
  }
  if (before.timeZone !== after.timeZone)
    changes.push({ what: 'timeZone', text: `Time zone: ${after.timeZone ?? 'from your record'}` });
  if (quietText(before.quietHours) !== quietText(after.quietHours))
    changes.push({ what: 'quietHours', text: `Quiet hours: ${quietText(after.quietHours)}` });
  if (capText(before.frequencyCap) !== capText(after.frequencyCap))
    changes.push({ what: 'frequencyCap', text: `Most alerts: ${capText(after.frequencyCap)}` });
  if (before.unsubscribedAll !== after.unsubscribedAll)
    changes.push({
      what: 'unsubscribedAll',
      text: after.unsubscribedAll ? 'Unsubscribed from everything' : 'Subscribed again',
    });
  return changes;
}

/** One line per setting, for the CRM timeline, the add-in and the Slack card. */
export function summarizePreferences(
  p: ContactPreferences,
  topicNames: Readonly<Record<string, string>> = {},
): string[] {
  if (p.unsubscribedAll) return ['Unsubscribed from everything'];
  const lines = Object.keys(p.topics)
    .sort()
    .filter((id) => !samePreference(p.topics[id]!, DEFAULT_TOPIC_PREFERENCE))
    .map((id) => `${topicNames[id] ?? id}: ${describeTopicPreference(p.topics[id]!)}`);
  if (p.timeZone) lines.push(`Time zone: ${p.timeZone}`);
  if (p.quietHours) lines.push(`Quiet hours: ${quietText(p.quietHours)}`);
  if (p.frequencyCap) lines.push(`Most alerts: ${capText(p.frequencyCap)}`);
  return lines;
}

// --- the stricter wins -------------------------------------------------------------------------

/**
 * When a delivery may go at `now` in `zone`, held by the organisation's quiet hours and the
 * customer's own: inside either window it waits for the later end, and an end that falls inside
 * the other window waits for that one too. Null: neither holds it.
 */
export function stricterQuietHoursEnd(
  now: Date,
  zone: string,
  organisation: QuietHours | null,
  customer: QuietHours | null,
): number | null {
  let at = now.getTime();
  let held = false;
  // Two overlapping windows settle within a few steps; the bound guards against a pathological pair.
  for (let i = 0; i < 6; i += 1) {
    const ends = [organisation, customer]
      .filter((q): q is QuietHours => q !== null)
      .map((q) => quietHoursEnd(new Date(at), zone, q))
      .filter((e): e is number => e !== null);
    if (ends.length === 0) break;
    const next = Math.max(...ends);
    if (next <= at) break;
    at = next;
    held = true;
  }
  return held ? at : null;
}

// --- the signed link ---------------------------------------------------------------------------

/** Contact ids a link can carry: HubSpot's are digits; a little room for other CRMs. */
const LINK_CONTACT = /^[A-Za-z0-9-]{1,28}$/;

/**
 * The id inside a preference link (signed as purpose 'preferences'): the contact and when the
 * link was issued (seconds, base 36). Nothing is stored per link: a link expires by its age
 * and is revoked by the contact's `links_revoked_before` in the store (every link issued earlier
 * stops working), so sending an alert to 65,000 people writes no link rows.
 */
export function preferenceLinkId(contactId: string, issuedAt: Date): string {
  if (!LINK_CONTACT.test(contactId)) throw new RangeError('contact id cannot be carried in a preference link');
  // The prefix keeps the id at the 8 characters signed ids need, whatever the contact id's length.
  return `p1_${contactId}_${Math.floor(issuedAt.getTime() / 1000).toString(36)}`;
}

export function parsePreferenceLinkId(id: string): { contactId: string; issuedAt: Date } | null {
  const m = /^p1_([A-Za-z0-9-]{1,28})_([0-9a-z]{1,8})$/.exec(id);
  if (!m) return null;
  const seconds = parseInt(m[2]!, 36);
  if (!Number.isFinite(seconds)) return null;
  return { contactId: m[1]!, issuedAt: new Date(seconds * 1000) };
}

export type LinkVerdict = { ok: true } | { ok: false; reason: 'expired' | 'revoked' | 'not-yet-valid' };

/** Whether a (genuinely signed) preference link still works. */
export function checkPreferenceLink(
  issuedAt: Date,
  now: Date,
  ttlDays: number,
  revokedBefore: Date | null,
): LinkVerdict {
  // A minute of clock skew between processes is allowed; more is a link from the future.
  if (issuedAt.getTime() > now.getTime() + 60_000) return { ok: false, reason: 'not-yet-valid' };
  if (now.getTime() - issuedAt.getTime() > ttlDays * 86_400_000) return { ok: false, reason: 'expired' };
  if (revokedBefore && issuedAt.getTime() < revokedBefore.getTime()) return { ok: false, reason: 'revoked' };
  return { ok: true };
}

/**
 * The rows quiet hours hold back at `now`, judged again at send time with the organisation's
 * quiet hours and each contact's own (`own`, by contact id): the stricter wins. A row already
 * held until later keeps its time; rows without a zone are not held.
 */
export function sendTimeDeferrals(
  rows: readonly { contactId: string; timeZone: string | null; deliverAfter: string | null }[],
  organisation: QuietHours | null,
  own: ReadonlyMap<string, QuietHours | null>,
  now: Date,
): { contactId: string; deliverAfter: string }[] {
  const held: { contactId: string; deliverAfter: string }[] = [];
  const byZone = new Map<string, number | null>();
  for (const row of rows) {
    if (!row.timeZone) continue;
    const theirs = own.get(row.contactId) ?? null;
    if (!organisation && !theirs) continue;
    let end: number | null;
    if (theirs) end = stricterQuietHoursEnd(now, row.timeZone, organisation, theirs);
    else {
      const cached = byZone.get(row.timeZone);
      end = cached !== undefined ? cached : quietHoursEnd(now, row.timeZone, organisation!);
      byZone.set(row.timeZone, end);
    }
    if (end !== null && end > (row.deliverAfter ? Date.parse(row.deliverAfter) : 0))
      held.push({ contactId: row.contactId, deliverAfter: new Date(end).toISOString() });
  }
  return held;
}
