/**
 * Which HubSpot contact property holds each piece of customer data Rapport reads. The rest of
 * Rapport knows these facts by one name each (the `rapport` key below, what domain/ reads); the
 * adapter asks HubSpot for the configured property and hands its value on under that name, so a
 * portal keeps its own layout: HubSpot's native properties where they exist, `rapport_*` otherwise.
 */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface MappedProperty {
  /** The name domain/ and services/ read on CrmContact.properties. */
  rapport: string;
  /** The environment variable that names the HubSpot property. */
  env: string;
  /** HubSpot's own property when one exists, else the custom property setup creates. */
  defaultName: string;
  /** Types a property must have for Rapport to read it correctly (doctor checks). */
  types: PropertyType[];
  what: string;
}

export const MAPPED_PROPERTIES = {
  revenue: {
    rapport: 'rapport_total_revenue',
    env: 'HUBSPOT_PROPERTY_REVENUE',
    defaultName: 'total_revenue',
    types: ['number'],
    what: 'lifetime revenue: the value tier (platinum to prospect)',
  },
  lastPurchase: {
    rapport: 'rapport_last_purchase_date',
    env: 'HUBSPOT_PROPERTY_LAST_PURCHASE',
    defaultName: 'recent_deal_close_date',
    types: ['date', 'datetime'],
    what: 'last purchase: recency (recent, lapsing, lapsed) and win-back actions',
  },
  customerSince: {
    rapport: 'rapport_customer_since',
    env: 'HUBSPOT_PROPERTY_CUSTOMER_SINCE',
    defaultName: 'hs_lifecyclestage_customer_date',
    types: ['date', 'datetime'],
    what: 'customer since: the length of the relationship',
  },
  preferredChannel: {
    rapport: 'rapport_preferred_channel',
    env: 'HUBSPOT_PROPERTY_PREFERRED_CHANNEL',
    defaultName: 'rapport_preferred_channel',
    types: ['enumeration', 'string'],
    what: 'preferred channel (email, slack, sms): which channel an alert takes',
  },
  slackUserId: {
    rapport: 'rapport_slack_user_id',
    env: 'HUBSPOT_PROPERTY_SLACK_USER_ID',
    defaultName: 'rapport_slack_user_id',
    types: ['string'],
    what: "the customer's Slack user id: Slack DMs",
  },
  timeZone: {
    rapport: 'hs_timezone',
    env: 'HUBSPOT_PROPERTY_TIME_ZONE',
    defaultName: 'hs_timezone',
    types: ['enumeration', 'string'],
    what: 'time zone: quiet hours',
  },
  emailOptOut: {
    rapport: 'hs_email_optout',
    env: 'HUBSPOT_PROPERTY_EMAIL_OPTOUT',
    defaultName: 'hs_email_optout',
    types: ['bool', 'enumeration'],
    what: 'email consent (true: opted out of all email): no alert email',
  },
  smsConsent: {
    rapport: 'rapport_sms_consent',
    env: 'HUBSPOT_PROPERTY_SMS_CONSENT',
    defaultName: 'rapport_sms_consent',
    // string: the property start-up creates when setup has not run ('true' / 'false' as text).
    types: ['bool', 'enumeration', 'string'],
    what: 'consent to texts (true): a contact who refused email may still be texted; an SMS STOP sets it false',
  },
} as const satisfies Record<string, MappedProperty>;

export type MappedKey = keyof typeof MAPPED_PROPERTIES;
/** The HubSpot property name per fact. */
export type ContactPropertyMap = Record<MappedKey, string>;

export const MAPPED_KEYS = Object.keys(MAPPED_PROPERTIES) as MappedKey[];

export const DEFAULT_PROPERTY_MAP: ContactPropertyMap = Object.fromEntries(
  MAPPED_KEYS.map((k) => [k, MAPPED_PROPERTIES[k].defaultName]),
) as ContactPropertyMap;

/** The configured map over the defaults; unset or blank entries keep HubSpot's own (or Rapport's) property. */
export function resolvePropertyMap(given: Partial<Record<MappedKey, string | undefined>> = {}): ContactPropertyMap {
  const map = { ...DEFAULT_PROPERTY_MAP };
  for (const key of MAPPED_KEYS) {
    const name = given[key]?.trim();
    if (name) map[key] = name;
  }
  return map;
}

/** Translates between HubSpot's property names and the names the rest of Rapport reads. */
export interface PropertyTranslator {
  /** The HubSpot names to ask for, in place of Rapport's names. */
  readNames(rapportNames: readonly string[]): string[];
  /** A HubSpot record's properties as Rapport reads them (a mapped value under Rapport's name). */
  fromHubSpot(properties: Record<string, string | null>): Record<string, string | null>;
  /** Rapport's names in a write turned into the configured HubSpot names. */
  toHubSpot(properties: Record<string, string>): Record<string, string>;
}

export function propertyTranslator(map: ContactPropertyMap): PropertyTranslator {
  const toHub = new Map<string, string>(MAPPED_KEYS.map((k) => [MAPPED_PROPERTIES[k].rapport, map[k]]));
  const pairs = [...toHub];
  return {
    readNames: (names) => [...new Set(names.map((n) => toHub.get(n) ?? n))],
    fromHubSpot(properties) {
      const out: Record<string, string | null> = { ...properties };
      // A mapped fact is only ever read from its configured property: a stray value under
      // Rapport's own name (a portal that has both layouts) must not win over the mapping.
      for (const [rapport, hub] of pairs) {
        if (rapport !== hub) delete out[rapport];
      }
      for (const [rapport, hub] of pairs) {
        if (hub in properties) out[rapport] = properties[hub] ?? null;
      }
      return out;
    },
    toHubSpot(properties) {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(properties)) out[toHub.get(name) ?? name] = value;
      return out;
    },
  };
}
