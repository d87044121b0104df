import type { Env } from '../config/env.js';
import { resolvePropertyMap, type ContactPropertyMap } from '../crm/hubspot/property-map.js';
import { DEFAULT_QUESTIONS, answerProperty } from '../domain/questions.js';
import { BROADCAST_CRM_SCHEMA } from '../services/broadcast-services.js';
import { PREFERENCES_CRM_SCHEMA } from '../services/preferences.js';

/** Rapport's custom CRM properties: idempotency keys on engagements, answers on contacts. */
export const CRM_SCHEMA = [
  ...(['notes', 'calls', 'emails', 'meetings', 'tasks'] as const).map((objectType) => ({
    objectType,
    name: 'rapport_idempotency_key',
    label: 'Rapport idempotency key',
  })),
  ...DEFAULT_QUESTIONS.map((q) => ({ objectType: 'contacts' as const, name: answerProperty(q.id), label: q.text })),
  ...BROADCAST_CRM_SCHEMA,
  ...PREFERENCES_CRM_SCHEMA,
];

/** The configured HubSpot contact property per fact Rapport reads (docs/CONFIGURATION.md#hubspot-property-mapping). */
export function propertyMapFromEnv(env: Partial<Env>): ContactPropertyMap {
  return resolvePropertyMap({
    revenue: env.HUBSPOT_PROPERTY_REVENUE,
    lastPurchase: env.HUBSPOT_PROPERTY_LAST_PURCHASE,
    customerSince: env.HUBSPOT_PROPERTY_CUSTOMER_SINCE,
    preferredChannel: env.HUBSPOT_PROPERTY_PREFERRED_CHANNEL,
    slackUserId: env.HUBSPOT_PROPERTY_SLACK_USER_ID,
    timeZone: env.HUBSPOT_PROPERTY_TIME_ZONE,
    emailOptOut: env.HUBSPOT_PROPERTY_EMAIL_OPTOUT,
    smsConsent: env.HUBSPOT_PROPERTY_SMS_CONSENT,
  });
}
