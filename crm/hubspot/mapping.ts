import { emailHeadersJson, htmlToText, noteHtml } from './rich-text.js';
import type {
  CrmCompany,
  CrmContact,
  CrmEngagement,
  CrmOwner,
  CrmTask,
  EngagementKind,
  NewEngagement,
  NewTask,
} from '../port.js';
import {
  ASSOCIATION_TO_COMPANY,
  ASSOCIATION_TO_CONTACT,
  IDEMPOTENCY_KEY,
  MAX_TEXT_LENGTH,
  OBJECT_TYPE,
  type WritableObjectType,
} from './schema.js';
import type { PropertyTranslator } from './property-map.js';
import { keyFromBody, withoutMarker } from './engagement-marker.js';

/** The shape every v3 object answer shares (typed client models are structurally this). */
export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date | string;
  updatedAt: Date | string;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);
const orNull = (value: string | null | undefined) => (value === undefined || value === '' ? null : value);

/** A contact as Rapport reads it; `translate` puts mapped facts under Rapport's names (property-map.ts). */
export function toContact(record: HubSpotRecord, translate?: PropertyTranslator): CrmContact {
  const p = translate ? translate.fromHubSpot(record.properties) : record.properties;
  const companies = record.associations?.companies?.results ?? [];
  // The primary company when HubSpot names one, else whatever associatedcompanyid says.
  const primary = companies.find((a) => a.type === 'contact_to_company') ?? companies[0];
  return {
    id: record.id,
    email: orNull(p.email),
    firstName: orNull(p.firstname),
    lastName: orNull(p.lastname),
    ownerId: orNull(p.hubspot_owner_id),
    companyId: primary?.id ?? orNull(p.associatedcompanyid),
    properties: { ...p },
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

export function toCompany(record: HubSpotRecord): CrmCompany {
  return {
    id: record.id,
    name: orNull(record.properties.name),
    domain: orNull(record.properties.domain),
    properties: { ...record.properties },
    updatedAt: iso(record.updatedAt),
  };
}

export function toOwner(owner: {
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  userId?: number;
}): CrmOwner {
  return {
    id: owner.id,
    email: owner.email ?? '',
    firstName: orNull(owner.firstName),
    lastName: orNull(owner.lastName),
    userId: owner.userId ?? null,
  };
}

export const stripHtml = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export function toEngagement(kind: EngagementKind, record: HubSpotRecord): CrmEngagement {
  const p = record.properties;
  const text: Record<EngagementKind, [string | null | undefined, string | null | undefined]> = {
    note: [p.hs_note_body ? htmlToText(p.hs_note_body) : p.hs_note_body, null],
    call: [p.hs_call_body ? htmlToText(p.hs_call_body) : p.hs_call_body, p.hs_call_title],
    email: [p.hs_email_text ?? (p.hs_email_html ? stripHtml(p.hs_email_html) : null), p.hs_email_subject],
    meeting: [p.hs_meeting_body ? htmlToText(p.hs_meeting_body) : p.hs_meeting_body, p.hs_meeting_title],
  };
  const [body, title] = text[kind];
  return {
    id: record.id,
    kind,
    timestamp: p.hs_timestamp ?? iso(record.createdAt),
    // On a portal without the key property the key rides in the body (engagement-marker.ts): not for people.
    body: withoutMarker(body ?? ''),
    title: orNull(title),
    ownerId: orNull(p.hubspot_owner_id),
    idempotencyKey: orNull(p[IDEMPOTENCY_KEY]) ?? keyFromBody(body),
    properties: { ...p },
  };
}

export function toTask(record: HubSpotRecord): CrmTask {
  const p = record.properties;
  return {
    id: record.id,
    subject: p.hs_task_subject ?? '',
    body: withoutMarker(p.hs_task_body ? htmlToText(p.hs_task_body) : ''),
    dueAt: orNull(p.hs_timestamp),
    ownerId: orNull(p.hubspot_owner_id),
    // HubSpot's default for a task created without a status.
    status: orNull(p.hs_task_status) ?? 'NOT_STARTED',
    priority: orNull(p.hs_task_priority),
    createdByRapport: Boolean(orNull(p[IDEMPOTENCY_KEY])),
  };
}

/** HubSpot refuses the whole batch for one over-long value; keep the record, cut the text. */
function fit(text: string): string {
  return text.length <= MAX_TEXT_LENGTH ? text : `${text.slice(0, MAX_TEXT_LENGTH - 1)}…`;
}

export interface CreateInput {
  key: string;
  /** No earlier attempt can have written it: no look-up needed. */
  firstAttempt?: boolean;
  objectType: WritableObjectType;
  properties: Record<string, string>;
  associations: {
    to: { id: string };
    types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[];
  }[];
}

function associations(objectType: WritableObjectType, contactIds: string[], companyId?: string | null) {
  const to = (id: string, associationTypeId: number) => ({
    to: { id },
    types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId }],
  });
  return [
    ...contactIds.map((id) => to(id, ASSOCIATION_TO_CONTACT[objectType])),
    ...(companyId ? [to(companyId, ASSOCIATION_TO_COMPANY[objectType])] : []),
  ];
}

export function engagementInput(e: NewEngagement): CreateInput {
  const objectType = OBJECT_TYPE[e.kind];
  const title = e.title ?? null;
  const byKind: Record<EngagementKind, Record<string, string>> = {
    // Notes have no title field: the title leads the body. Note, call, meeting and task bodies are
    // rich text: written as HubSpot's editor writes them, read back as text (rich-text.ts).
    note: { hs_note_body: noteHtml(title, e.body, MAX_TEXT_LENGTH) },
    call: {
      hs_call_title: title ?? 'Call',
      hs_call_body: noteHtml(null, e.body, MAX_TEXT_LENGTH),
      hs_call_status: 'COMPLETED',
    },
    email: {
      hs_email_subject: title ?? '(no subject)',
      hs_email_text: fit(e.body),
      hs_email_direction: 'EMAIL',
      hs_email_status: 'SENT',
      ...(e.emailHeaders ? { hs_email_headers: emailHeadersJson(e.emailHeaders) } : {}),
    },
    meeting: {
      hs_meeting_title: title ?? 'Meeting',
      hs_meeting_body: noteHtml(null, e.body, MAX_TEXT_LENGTH),
      hs_meeting_start_time: e.timestamp,
      hs_meeting_end_time: e.timestamp,
      hs_meeting_outcome: 'COMPLETED',
    },
  };
  return {
    key: e.idempotencyKey,
    firstAttempt: e.firstAttempt,
    objectType,
    properties: {
      hs_timestamp: e.timestamp,
      [IDEMPOTENCY_KEY]: e.idempotencyKey,
      ...(e.ownerId ? { hubspot_owner_id: e.ownerId } : {}),
      ...byKind[e.kind],
      ...e.properties,
    },
    associations: associations(objectType, [e.contactId], e.companyId),
  };
}

export function taskInput(t: NewTask): CreateInput {
  return {
    key: t.idempotencyKey,
    objectType: 'tasks',
    properties: {
      hs_timestamp: t.dueAt,
      hs_task_subject: t.subject,
      hs_task_body: noteHtml(null, t.body, MAX_TEXT_LENGTH),
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: t.priority ?? 'MEDIUM',
      hs_task_type: 'TODO',
      hubspot_owner_id: t.ownerId,
      [IDEMPOTENCY_KEY]: t.idempotencyKey,
    },
    associations: associations('tasks', t.contactIds ?? []),
  };
}
