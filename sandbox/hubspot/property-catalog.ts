import type { ObjectType } from './object-types.js';
import { HUBSPOT_TIME_ZONES } from './time-zones.js';

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  hubspotDefined: boolean;
  readOnlyValue: boolean;
  hasUniqueValue: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PropertyGroupDef {
  name: string;
  label: string;
  displayOrder: number;
}

type Spec = [name: string, type: PropertyType, options?: readonly string[], readOnly?: boolean];

const FIELD_TYPES: Record<PropertyType, string> = {
  string: 'text',
  number: 'number',
  date: 'date',
  datetime: 'date',
  enumeration: 'select',
  bool: 'booleancheckbox',
};

const LIFECYCLE = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

/** HubSpot's full hs_timezone option set (sandbox/hubspot/time-zones.ts). */
export const TIMEZONE_OPTIONS: readonly string[] = HUBSPOT_TIME_ZONES;

export const INDUSTRY_OPTIONS = [
  'LOGISTICS_AND_SUPPLY_CHAIN',
  'MARKETING_AND_ADVERTISING',
  'FOOD_PRODUCTION',
  'COMPUTER_SOFTWARE',
  'HOSPITAL_HEALTH_CARE',
  'FINANCIAL_SERVICES',
  'CONSTRUCTION',
  'RETAIL',
  'RENEWABLES_ENVIRONMENT',
  'HOSPITALITY',
  'INDUSTRIAL_AUTOMATION',
  'EDUCATION_MANAGEMENT',
];

const COMMON: Spec[] = [
  ['hs_object_id', 'number', undefined, true],
  ['hubspot_owner_id', 'enumeration'],
];
const ENGAGEMENT_COMMON: Spec[] = [
  ...COMMON,
  ['hs_timestamp', 'datetime'],
  ['hs_createdate', 'datetime', undefined, true],
  ['hs_lastmodifieddate', 'datetime', undefined, true],
];

const CATALOG: Record<ObjectType, Spec[]> = {
  contacts: [
    ...COMMON,
    ['email', 'string'],
    ['firstname', 'string'],
    ['lastname', 'string'],
    ['phone', 'string'],
    ['mobilephone', 'string'],
    ['jobtitle', 'string'],
    ['company', 'string'],
    ['website', 'string'],
    ['city', 'string'],
    ['state', 'string'],
    ['country', 'string'],
    ['lifecyclestage', 'enumeration', LIFECYCLE],
    ['hs_timezone', 'enumeration', TIMEZONE_OPTIONS],
    ['hs_email_optout', 'bool'],
    ['hs_additional_emails', 'string'],
    ['annualrevenue', 'number'],
    // HubSpot computes these two from the contact's closed-won deals (read-only through the API).
    ['total_revenue', 'number', undefined, true],
    ['recent_deal_close_date', 'datetime', undefined, true],
    // Set by HubSpot when the lifecycle stage becomes customer.
    ['hs_lifecyclestage_customer_date', 'datetime'],
    ['associatedcompanyid', 'number', undefined, true],
    ['createdate', 'datetime'],
    ['lastmodifieddate', 'datetime', undefined, true],
  ],
  companies: [
    ...COMMON,
    ['name', 'string'],
    ['domain', 'string'],
    ['website', 'string'],
    ['description', 'string'],
    ['industry', 'enumeration', INDUSTRY_OPTIONS],
    ['phone', 'string'],
    ['city', 'string'],
    ['state', 'string'],
    ['country', 'string'],
    ['annualrevenue', 'number'],
    ['numberofemployees', 'number'],
    ['lifecyclestage', 'enumeration', LIFECYCLE],
    ['createdate', 'datetime'],
    ['hs_lastmodifieddate', 'datetime', undefined, true],
  ],
  notes: [...ENGAGEMENT_COMMON, ['hs_note_body', 'string']],
  calls: [
    ...ENGAGEMENT_COMMON,
    ['hs_call_title', 'string'],
    ['hs_call_body', 'string'],
    ['hs_call_direction', 'enumeration', ['INBOUND', 'OUTBOUND']],
    [
      'hs_call_status',
      'enumeration',
      [
        'BUSY',
        'CALLING_CRM_USER',
        'CANCELED',
        'COMPLETED',
        'CONNECTING',
        'FAILED',
        'IN_PROGRESS',
        'NO_ANSWER',
        'QUEUED',
        'RINGING',
      ],
    ],
    ['hs_call_duration', 'number'],
    ['hs_call_disposition', 'string'],
    ['hs_call_from_number', 'string'],
    ['hs_call_to_number', 'string'],
  ],
  emails: [
    ...ENGAGEMENT_COMMON,
    ['hs_email_subject', 'string'],
    ['hs_email_text', 'string'],
    ['hs_email_html', 'string'],
    ['hs_email_headers', 'string'],
    // Read-only: HubSpot fills them from hs_email_headers (email-headers.ts).
    ['hs_email_from_email', 'string', undefined, true],
    ['hs_email_from_firstname', 'string', undefined, true],
    ['hs_email_from_lastname', 'string', undefined, true],
    ['hs_email_to_email', 'string', undefined, true],
    ['hs_email_to_firstname', 'string', undefined, true],
    ['hs_email_to_lastname', 'string', undefined, true],
    ['hs_email_direction', 'enumeration', ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']],
    ['hs_email_status', 'enumeration', ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT']],
  ],
  meetings: [
    ...ENGAGEMENT_COMMON,
    ['hs_meeting_title', 'string'],
    ['hs_meeting_body', 'string'],
    ['hs_internal_meeting_notes', 'string'],
    ['hs_meeting_location', 'string'],
    ['hs_meeting_start_time', 'datetime'],
    ['hs_meeting_end_time', 'datetime'],
    ['hs_meeting_outcome', 'enumeration', ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']],
  ],
  tasks: [
    ...ENGAGEMENT_COMMON,
    ['hs_task_subject', 'string'],
    ['hs_task_body', 'string'],
    ['hs_task_status', 'enumeration', ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']],
    ['hs_task_priority', 'enumeration', ['NONE', 'LOW', 'MEDIUM', 'HIGH']],
    ['hs_task_type', 'enumeration', ['CALL', 'EMAIL', 'TODO']],
  ],
};

/** Properties HubSpot returns when a read names none. */
export const DEFAULT_READ_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Returned with every read, whatever was asked for. */
export const ALWAYS_READ_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'hs_object_id', 'lastmodifieddate'],
  companies: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

export const TIMESTAMP_PROPERTIES: Record<ObjectType, { created: string; modified: string }> = {
  contacts: { created: 'createdate', modified: 'lastmodifieddate' },
  companies: { created: 'createdate', modified: 'hs_lastmodifieddate' },
  notes: { created: 'hs_createdate', modified: 'hs_lastmodifieddate' },
  calls: { created: 'hs_createdate', modified: 'hs_lastmodifieddate' },
  emails: { created: 'hs_createdate', modified: 'hs_lastmodifieddate' },
  meetings: { created: 'hs_createdate', modified: 'hs_lastmodifieddate' },
  tasks: { created: 'hs_createdate', modified: 'hs_lastmodifieddate' },
};

/** Writes that HubSpot refuses without these. */
export const REQUIRED_ON_CREATE: Partial<Record<ObjectType, string[]>> = {
  notes: ['hs_timestamp'],
  calls: ['hs_timestamp'],
  emails: ['hs_timestamp'],
  meetings: ['hs_timestamp'],
  tasks: ['hs_timestamp', 'hs_task_subject'],
};

export const DEFAULT_GROUPS: Record<ObjectType, PropertyGroupDef> = {
  contacts: { name: 'contactinformation', label: 'Contact information', displayOrder: 0 },
  companies: { name: 'companyinformation', label: 'Company information', displayOrder: 0 },
  notes: { name: 'engagement', label: 'Engagement', displayOrder: 0 },
  calls: { name: 'engagement', label: 'Engagement', displayOrder: 0 },
  emails: { name: 'engagement', label: 'Engagement', displayOrder: 0 },
  meetings: { name: 'engagement', label: 'Engagement', displayOrder: 0 },
  tasks: { name: 'engagement', label: 'Engagement', displayOrder: 0 },
};

function label(name: string): string {
  const words = name.replace(/^hs_/, '').split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function makeProperty(
  spec: {
    name: string;
    type: PropertyType;
    groupName: string;
    label?: string;
    options?: readonly string[];
    fieldType?: string;
  },
  at: string,
  hubspotDefined: boolean,
  readOnlyValue = false,
): PropertyDef {
  return {
    name: spec.name,
    label: spec.label ?? label(spec.name),
    type: spec.type,
    fieldType: spec.fieldType ?? FIELD_TYPES[spec.type],
    groupName: spec.groupName,
    description: '',
    options: (spec.options ?? (spec.type === 'bool' ? ['true', 'false'] : [])).map((value, displayOrder) => ({
      label: label(value.toLowerCase()),
      value,
      displayOrder,
      hidden: false,
    })),
    hubspotDefined,
    readOnlyValue,
    hasUniqueValue: false,
    createdAt: at,
    updatedAt: at,
  };
}

export function builtInProperties(type: ObjectType, at: string): Map<string, PropertyDef> {
  const group = DEFAULT_GROUPS[type].name;
  return new Map(
    CATALOG[type].map(([name, propertyType, options, readOnly]) => [
      name,
      makeProperty({ name, type: propertyType, groupName: group, options }, at, true, readOnly ?? false),
    ]),
  );
}
