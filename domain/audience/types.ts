import { z } from 'zod';
import type { Channel } from '../vocabulary/index.js';

/** CRM property names the audience rules read (HubSpot internal names). */
export const AUDIENCE_PROPERTIES = {
  emailOptOut: 'hs_email_optout',
  unsubscribedAll: 'rapport_unsubscribed_all',
  emailInvalid: 'rapport_email_invalid',
  preferredChannel: 'rapport_preferred_channel',
  /** A consent to texts of its own ('true'), apart from the preferred channel; an SMS STOP revokes it. */
  smsConsent: 'rapport_sms_consent',
  slackUserId: 'rapport_slack_user_id',
  phone: 'phone',
  mobilePhone: 'mobilephone',
  timeZone: 'hs_timezone',
  owner: 'hubspot_owner_id',
} as const;

/**
 * The slice of a CRM contact the audience rules need. Loose, so a full CrmContact passes
 * through untouched and callers get their own record back on the recipient.
 */
export const audienceContactSchema = z.looseObject({
  id: z.string().trim().min(1, { message: 'contact.id must not be empty' }),
  email: z.string().nullable(),
  ownerId: z.string().nullable().optional(),
  properties: z.record(z.string(), z.string().nullable()).default({}),
});
/** An interface, not z.output: the schema's index signature would refuse CrmContact (an interface). */
export interface AudienceContact {
  id: string;
  email: string | null;
  ownerId?: string | null;
  /** For the greeting ("Hello Joe,"); not an audience rule. */
  firstName?: string | null;
  properties: Record<string, string | null>;
}

export const listMembershipSchema = z.object({
  listId: z.string().trim().min(1, { message: 'listId must not be empty' }),
  contact: audienceContactSchema,
});
export const listMembershipsSchema = z.array(listMembershipSchema);
export type ListMembership<C extends AudienceContact = AudienceContact> = { listId: string; contact: C };

export const DUPLICATE_REASONS = ['DUPLICATE_CONTACT', 'DUPLICATE_EMAIL'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/**
 * UNSUBSCRIBED: the CRM's subscription preferences refuse this alert's email (see subscriptions.ts).
 * NO_SMS_CONSENT: refused email, has a phone, but neither chose SMS nor consented to texts.
 * TOPIC_OFF: the contact turned this alert's topic off in the preference centre.
 */
export const POLICY_REASONS = [
  'OPTED_OUT',
  'TOPIC_OFF',
  'UNSUBSCRIBED',
  'NO_SMS_CONSENT',
  'INVALID_EMAIL',
  'NO_USABLE_ADDRESS',
  'FREQUENCY_CAP',
] as const;
export type PolicyReason = (typeof POLICY_REASONS)[number];

/** Every reason a membership or contact does not become a delivery. Stable codes: UIs map them to words. */
export const SUPPRESSION_REASONS = [...DUPLICATE_REASONS, ...POLICY_REASONS] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** One person to reach, after dedupe. */
export interface Recipient<C extends AudienceContact = AudienceContact> {
  /** The surviving CRM record (lowest id among the records sharing the email). */
  contactId: string;
  contact: C;
  /** Trimmed, original case: the local part of an address may be case-sensitive, so it is sent as stored. */
  email: string | null;
  /** Trim + lowercase; the dedupe key. */
  normalizedEmail: string | null;
  /** Every list the person came from (through any of the merged records), first-seen order. */
  listIds: string[];
  /** Other CRM records of the same person, folded into this one. */
  mergedContacts: C[];
}

export interface DuplicateSuppression {
  reason: DuplicateReason;
  contactId: string;
  listId: string;
  email: string | null;
  /** contactId of the recipient this membership folded into. */
  duplicateOf: string;
}

export interface ListMembershipCount {
  listId: string;
  memberships: number;
}

export interface DedupeResult<C extends AudienceContact = AudienceContact> {
  recipients: Recipient<C>[];
  /** One entry per membership that did not become a recipient: memberships = recipients + duplicates. */
  duplicates: DuplicateSuppression[];
  totalMemberships: number;
  lists: ListMembershipCount[];
}

export interface Delivery {
  contactId: string;
  email: string | null;
  channel: Channel;
  /** Email address, Slack user id or E.164 phone number, matching `channel`. */
  address: string;
  /** Next usable channel to try when this one bounces; null when there is none. */
  fallbackChannel: Channel | null;
  fallbackAddress: string | null;
  /** ISO instant; set when the contact is inside quiet hours right now. */
  deliverAfter: string | null;
  /** IANA zone the quiet hours were judged in. */
  timeZone: string;
  listIds: string[];
  ownerId: string | null;
  /** The contact's first name, for the greeting; null or unset: unknown. */
  firstName?: string | null;
  /** The contact chose a daily or weekly digest for the alert's topic (domain/digests.ts); unset: as it happens. */
  digest?: 'daily' | 'weekly' | null;
}

export interface PolicySuppression {
  contactId: string;
  reason: PolicyReason;
  /** Human-readable why, for approvers and logs. */
  detail: string;
  email: string | null;
  listIds: string[];
}

export interface PolicyResult {
  deliveries: Delivery[];
  suppressed: PolicySuppression[];
  /**
   * Per channel without a working adapter: how many recipients would have been reached on it and
   * are counted under their next usable channel instead (or suppressed when they had none).
   */
  unconfigured?: Partial<Record<Channel, number>>;
}
