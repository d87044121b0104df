import type { EngagementKind } from '../port.js';

/** Rapport's key on every engagement and task it writes; a retry finds it instead of writing twice. */
export const IDEMPOTENCY_KEY = 'rapport_idempotency_key';
export const PROPERTY_GROUP = { name: 'rapport', label: 'Rapport' };

export type WritableObjectType = 'notes' | 'calls' | 'emails' | 'meetings' | 'tasks';

export const OBJECT_TYPE: Record<EngagementKind | 'task', WritableObjectType> = {
  note: 'notes',
  call: 'calls',
  email: 'emails',
  meeting: 'meetings',
  task: 'tasks',
};

/** HUBSPOT_DEFINED association type ids (see @hubspot/api-client's AssociationTypes). */
export const ASSOCIATION_TO_CONTACT: Record<WritableObjectType, number> = {
  notes: 202,
  calls: 194,
  emails: 198,
  meetings: 200,
  tasks: 204,
};
export const ASSOCIATION_TO_COMPANY: Record<WritableObjectType, number> = {
  notes: 190,
  calls: 182,
  emails: 186,
  meetings: 188,
  tasks: 192,
};
/** Contact -> company, primary. */
export const PRIMARY_COMPANY_ASSOCIATION = 1;

/** What every contact read asks for; HubSpot only returns named properties. */
export const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'hubspot_owner_id',
  'associatedcompanyid',
  'company',
  'jobtitle',
  'phone',
  'mobilephone',
  'city',
  'country',
  'lifecyclestage',
  'hs_timezone',
  'hs_email_optout',
  'annualrevenue',
  'rapport_total_revenue',
  'rapport_last_purchase_date',
  'rapport_customer_since',
  'rapport_preferred_channel',
  'rapport_slack_user_id',
  'rapport_sms_consent',
];

export const COMPANY_PROPERTIES = [
  'name',
  'domain',
  'website',
  'industry',
  'phone',
  'city',
  'country',
  'annualrevenue',
  'numberofemployees',
  'lifecyclestage',
  'hubspot_owner_id',
];

const COMMON_ENGAGEMENT = ['hs_timestamp', 'hubspot_owner_id', IDEMPOTENCY_KEY];

export const ENGAGEMENT_PROPERTIES: Record<WritableObjectType, string[]> = {
  notes: [...COMMON_ENGAGEMENT, 'hs_note_body'],
  calls: [
    ...COMMON_ENGAGEMENT,
    'hs_call_title',
    'hs_call_body',
    'hs_call_direction',
    'hs_call_status',
    'hs_call_duration',
  ],
  emails: [
    ...COMMON_ENGAGEMENT,
    'hs_email_subject',
    'hs_email_text',
    'hs_email_html',
    'hs_email_direction',
    'hs_email_status',
  ],
  meetings: [
    ...COMMON_ENGAGEMENT,
    'hs_meeting_title',
    'hs_meeting_body',
    'hs_meeting_start_time',
    'hs_meeting_end_time',
    'hs_meeting_outcome',
  ],
  tasks: [
    ...COMMON_ENGAGEMENT,
    'hs_task_subject',
    'hs_task_body',
    'hs_task_status',
    'hs_task_priority',
    'hs_task_type',
  ],
};

/** What a follow-up read asks for. */
export const TASK_PROPERTIES = [
  'hs_task_subject',
  'hs_task_body',
  'hs_task_status',
  'hs_task_priority',
  'hs_timestamp',
  'hubspot_owner_id',
  // Set on the tasks Rapport writes: who may complete a task through Rapport depends on it.
  IDEMPOTENCY_KEY,
];

/** HubSpot's limit for a text property value. */
export const MAX_TEXT_LENGTH = 65_536;
/** Inputs per batch request. */
export const BATCH_SIZE = 100;
