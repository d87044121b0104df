import {
  MAPPED_KEYS,
  MAPPED_PROPERTIES,
  type ContactPropertyMap,
  type MappedKey,
  type PropertyType,
} from './property-map.js';

export type PortalObjectType = 'contacts' | 'notes' | 'calls' | 'emails' | 'meetings' | 'tasks';

/** A property Rapport needs on the portal, with the type it is created with and the types it accepts. */
export interface PropertySpec {
  objectType: PortalObjectType;
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  options?: string[];
  /** Types that read correctly (a portal's own property may differ from what setup would create). */
  accepts: PropertyType[];
  /** Who makes it exist: setup (Rapport's own), or the portal (HubSpot's or the customer's property). */
  owner: 'setup' | 'portal';
  /** The variable naming it, for mapped facts. */
  env?: string;
  why: string;
}

/** How setup creates a mapped fact when the mapping names a rapport_* property. */
const CREATE_AS: Record<MappedKey, { type: PropertyType; fieldType: string; options?: string[] }> = {
  revenue: { type: 'number', fieldType: 'number' },
  lastPurchase: { type: 'date', fieldType: 'date' },
  customerSince: { type: 'date', fieldType: 'date' },
  preferredChannel: { type: 'enumeration', fieldType: 'select', options: ['email', 'slack', 'sms'] },
  slackUserId: { type: 'string', fieldType: 'text' },
  timeZone: { type: 'string', fieldType: 'text' },
  emailOptOut: { type: 'enumeration', fieldType: 'booleancheckbox', options: ['true', 'false'] },
  smsConsent: { type: 'enumeration', fieldType: 'booleancheckbox', options: ['true', 'false'] },
};

const LABELS: Record<MappedKey, string> = {
  revenue: 'Total revenue',
  lastPurchase: 'Last purchase date',
  customerSince: 'Customer since',
  preferredChannel: 'Preferred channel',
  slackUserId: 'Slack user id',
  timeZone: 'Time zone',
  emailOptOut: 'Opted out of email',
  smsConsent: 'Consented to texts',
};

/** Only names in Rapport's own namespace are created; anything else is the portal's to provide. */
const isRapports = (name: string) => name.startsWith('rapport_');

/**
 * Everything Rapport needs on a portal: the facts it reads (as mapped) and the properties it writes
 * (`written`: idempotency keys, question answers, unsubscribes; created as text).
 */
export function portalSchema(
  map: ContactPropertyMap,
  written: { objectType: PortalObjectType; name: string; label: string }[],
): PropertySpec[] {
  const specs: PropertySpec[] = MAPPED_KEYS.map((key) => {
    const fact = MAPPED_PROPERTIES[key];
    const name = map[key];
    return {
      objectType: 'contacts',
      name,
      label: LABELS[key],
      ...CREATE_AS[key],
      accepts: [...fact.types],
      owner: isRapports(name) ? 'setup' : 'portal',
      env: fact.env,
      why: `read: ${fact.what}`,
    };
  });
  const seen = new Set(specs.map((s) => `${s.objectType}:${s.name}`));
  for (const w of written) {
    const id = `${w.objectType}:${w.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    specs.push({
      objectType: w.objectType,
      name: w.name,
      label: w.label,
      type: 'string',
      // Contact answers can be long; engagement keys are short.
      fieldType: w.objectType === 'contacts' ? 'textarea' : 'text',
      accepts: ['string'],
      owner: 'setup',
      why:
        w.name === 'rapport_idempotency_key'
          ? `written: idempotency key of every ${w.objectType.slice(0, -1)} Rapport logs`
          : 'written by Rapport',
    });
  }
  return specs;
}
