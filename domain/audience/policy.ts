import { z } from 'zod';
import { DomainError } from '../errors.js';
import {
  contactPreferencesSchema,
  stricterQuietHoursEnd,
  topicPreference,
  type ContactPreferences,
} from '../preferences.js';
import { CHANNELS, channelSchema, type Channel } from '../vocabulary/index.js';
import { isUnsubscribedFromAll } from './addresses.js';
import { chooseChannel } from './channel-choice.js';
import { checkFrequencyCap, contactHistorySchema, frequencyCapSchema, type ContactHistory } from './frequency-cap.js';
import { quietHoursEnd, quietHoursSchema } from './quiet-hours.js';
import { subscriptionRefusal } from './subscriptions.js';
import { canonicalTimeZone, parseContactTimeZone } from './time-zone.js';
import {
  AUDIENCE_PROPERTIES,
  type AudienceContact,
  type Delivery,
  type PolicyResult,
  type PolicySuppression,
  type Recipient,
} from './types.js';

const uniqueChannels = (what: string) =>
  z
    .array(channelSchema)
    .min(1, { message: `${what} must name at least one channel` })
    .refine((a) => new Set(a).size === a.length, { message: `${what} must not repeat a channel` });

const timeZoneSchema = z.string().transform((zone, ctx) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) {
    ctx.addIssue({ code: 'custom', message: `"${zone}" is not an IANA time zone, e.g. Europe/London` });
    return z.NEVER;
  }
  return canonical;
});

const subscriptionTargetSchema = z.union([
  z.object({ kind: z.literal('type'), id: z.string().min(1) }),
  z.object({ kind: z.literal('all') }),
]);

/** Organisation-wide contact rules; the alert-specific parts live in the context. */
export const contactPolicySchema = z.object({
  /**
   * Alert topic (lower case; `*`: any other) -> the CRM email subscription it is sent under: the
   * audience honours the CRM's status for it, and an unsubscribe is written there. Empty: none.
   */
  subscriptionTypes: z.record(z.string(), subscriptionTargetSchema).default({}),
  fallbackOrder: uniqueChannels('fallbackOrder').default([...CHANNELS]),
  frequencyCap: frequencyCapSchema.optional(),
  /** null switches quiet hours off. */
  quietHours: quietHoursSchema.nullable().default({ start: '21:00', end: '08:00' }),
  /** Zone for contacts whose CRM record has none (or one we cannot read). */
  defaultTimeZone: timeZoneSchema.default('UTC'),
});
export type ContactPolicy = z.output<typeof contactPolicySchema>;
export type ContactPolicyInput = z.input<typeof contactPolicySchema>;

export const policyContextSchema = z.object({
  /** Passed in, never read from a clock, so a workflow replay decides the same way. */
  now: z.union([
    z.date(),
    z.iso.datetime({ offset: true, message: 'now must be an ISO 8601 date-time' }).transform((s) => new Date(s)),
  ]),
  alert: z.object({
    id: z.string().min(1),
    topic: z.string(),
    channels: uniqueChannels('alert.channels'),
  }),
  /** Per CRM contact id; contacts without an entry have no recent or pending alerts. */
  history: z.record(z.string(), contactHistorySchema).default({}),
  /**
   * The CRM's email subscription preferences: the subscription the alert's topic is sent under
   * (null: none configured) and, per normalised email address, what the CRM says. Addresses
   * without an entry are not refused; opting out of all email refuses every alert email.
   */
  subscriptions: z
    .object({
      target: subscriptionTargetSchema.nullable(),
      byEmail: z.record(z.string(), z.object({ optedOutOfAll: z.boolean(), unsubscribedFrom: z.array(z.string()) })),
    })
    .optional(),
  /**
   * The channels this deployment has a working adapter for; absent: every channel. A contact whose
   * channel has none is counted (and sent) under the next usable channel.
   */
  workingChannels: z.array(channelSchema).optional(),
  /**
   * The contacts' own terms from the preference centre (store cache), per CRM contact id; contacts
   * without an entry never set any. Topic off suppresses (TOPIC_OFF), the topic's channel wins
   * over the CRM's preferred one, and their caps and quiet hours apply on top of the policy's.
   */
  preferences: z.record(z.string(), contactPreferencesSchema).optional(),
});
export type PolicyContext = z.output<typeof policyContextSchema>;
export type PolicyContextInput = z.input<typeof policyContextSchema>;

function ownerOf(contact: AudienceContact): string | null {
  return contact.ownerId ?? contact.properties[AUDIENCE_PROPERTIES.owner] ?? null;
}

/**
 * Decides, per deduped recipient, the channel and timing of the delivery or why there is none.
 * Checks run in order of who must win: the customer's opt-out, then whether we can reach them
 * at all, then our own caps; quiet hours delay a delivery but never drop it.
 */
export function applyContactPolicy(
  recipients: readonly Recipient[],
  policy: ContactPolicy,
  context: PolicyContext,
): PolicyResult {
  const { now, alert, history, subscriptions, workingChannels, preferences } = context;
  // A hand-built policy skips the schema; fail on the config, not halfway through the audience.
  const defaultTimeZone = canonicalTimeZone(policy.defaultTimeZone);
  if (defaultTimeZone === null) {
    throw new DomainError('VALIDATION', `"${policy.defaultTimeZone}" is not an IANA time zone`, 'defaultTimeZone');
  }
  const deliveries: Delivery[] = [];
  const suppressed: PolicySuppression[] = [];
  const unconfigured: Partial<Record<Channel, number>> = {};
  // Same instant for everyone, so the answer depends on the zone alone.
  const quietEndByZone = new Map<string, string | null>();

  const historiesOf = (r: Recipient): ContactHistory[] => {
    const out: ContactHistory[] = [];
    for (const c of [r.contact, ...r.mergedContacts]) {
      if (Object.hasOwn(history, c.id)) {
        const h = history[c.id];
        if (h) out.push(h);
      }
    }
    return out;
  };

  /** The surviving record's terms; a merged record's "nothing at all" binds the person too. */
  const preferencesOf = (r: Recipient): ContactPreferences | undefined => {
    if (!preferences) return undefined;
    let own: ContactPreferences | undefined;
    for (const c of [r.contact, ...r.mergedContacts]) {
      const p = Object.hasOwn(preferences, c.id) ? preferences[c.id] : undefined;
      if (!p) continue;
      if (p.unsubscribedAll) return p;
      own ??= p;
    }
    return own;
  };

  for (const r of recipients) {
    const suppress = (reason: PolicySuppression['reason'], detail: string) =>
      suppressed.push({ contactId: r.contactId, reason, detail, email: r.email, listIds: r.listIds });

    if (isUnsubscribedFromAll(r)) {
      suppress('OPTED_OUT', 'unsubscribed from all alerts');
      continue;
    }
    const own = preferencesOf(r);
    if (own?.unsubscribedAll) {
      suppress('OPTED_OUT', 'unsubscribed from everything in the preference centre');
      continue;
    }
    const topic = own ? topicPreference(own, alert.topic) : null;
    if (topic && !topic.enabled) {
      suppress('TOPIC_OFF', `turned "${alert.topic}" off in the preference centre`);
      continue;
    }

    const status =
      subscriptions && r.normalizedEmail !== null && Object.hasOwn(subscriptions.byEmail, r.normalizedEmail)
        ? subscriptions.byEmail[r.normalizedEmail]
        : undefined;
    const refusal = subscriptions ? subscriptionRefusal(status, subscriptions.target) : null;
    const choice = chooseChannel(
      r,
      alert.channels,
      policy.fallbackOrder,
      refusal,
      workingChannels,
      topic?.channel ?? null,
    );
    if (!choice.ok) {
      suppress(choice.reason, choice.detail);
      continue;
    }
    if (choice.passedOver) unconfigured[choice.passedOver] = (unconfigured[choice.passedOver] ?? 0) + 1;

    if (policy.frequencyCap) {
      const verdict = checkFrequencyCap(historiesOf(r), alert, policy.frequencyCap, now);
      if (verdict.capped) {
        suppress('FREQUENCY_CAP', verdict.detail);
        continue;
      }
    }
    // The customer's own cap, on top of ours: whichever is stricter stops the alert.
    if (own?.frequencyCap) {
      const verdict = checkFrequencyCap(historiesOf(r), alert, own.frequencyCap, now);
      if (verdict.capped) {
        suppress('FREQUENCY_CAP', `their own cap: ${verdict.detail}`);
        continue;
      }
    }

    const timeZone =
      own?.timeZone ?? parseContactTimeZone(r.contact.properties[AUDIENCE_PROPERTIES.timeZone]) ?? defaultTimeZone;
    let deliverAfter: string | null = null;
    if (own?.quietHours) {
      // Their own quiet hours and ours: held until both are over.
      const end = stricterQuietHoursEnd(now, timeZone, policy.quietHours, own.quietHours);
      deliverAfter = end === null ? null : new Date(end).toISOString();
    } else if (policy.quietHours) {
      const cached = quietEndByZone.get(timeZone);
      if (cached !== undefined) deliverAfter = cached;
      else {
        const end = quietHoursEnd(now, timeZone, policy.quietHours);
        deliverAfter = end === null ? null : new Date(end).toISOString();
        quietEndByZone.set(timeZone, deliverAfter);
      }
    }

    deliveries.push({
      contactId: r.contactId,
      email: r.email,
      channel: choice.channel,
      address: choice.address,
      fallbackChannel: choice.fallbackChannel,
      fallbackAddress: choice.fallbackAddress,
      deliverAfter,
      timeZone,
      listIds: r.listIds,
      ownerId: ownerOf(r.contact),
      // Only when known: for the greeting, not a rule of the audience.
      ...(r.contact.firstName ? { firstName: r.contact.firstName } : {}),
      // Their digest of this topic: the row then waits for it instead of going out on its own.
      ...(topic && topic.delivery !== 'immediate' ? { digest: topic.delivery } : {}),
    });
  }
  return { deliveries, suppressed, ...(Object.keys(unconfigured).length > 0 ? { unconfigured } : {}) };
}
