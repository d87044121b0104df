import { Hono } from 'hono';
import { intParam, type SandboxContext } from '../context.js';
import { hubspotError } from '../errors.js';
import type { ObjectType } from '../object-types.js';
import type { CrmRecord } from '../state.js';

/**
 * HubSpot's legacy engagements v1 read of one record's activity:
 * `GET /engagements/v1/engagements/associated/{objectType}/{objectId}/paged?limit&offset`.
 * Every kind in one list, each as `{engagement, associations, attachments, metadata}`; `limit` at
 * most 100; `offset` is where the next page starts (here: after that engagement id, so pages come
 * in id order, never newest first: a client must page through).
 */
const V1_TYPE: Partial<Record<ObjectType, string>> = {
  notes: 'NOTE',
  calls: 'CALL',
  emails: 'EMAIL',
  meetings: 'MEETING',
  tasks: 'TASK',
};
const FROM_TYPES: Record<string, ObjectType> = { CONTACT: 'contacts', COMPANY: 'companies' };
const MAX_LIMIT = 100;

const ms = (value: string | undefined, fallback: string) => {
  const n = /^\d+$/.test(value ?? '') ? Number(value) : Date.parse(value ?? '');
  return Number.isFinite(n) ? n : Date.parse(fallback);
};

function parties(headers: string | undefined) {
  try {
    const parsed = JSON.parse(headers ?? '') as { from?: unknown; to?: unknown };
    return { from: parsed.from ?? {}, to: Array.isArray(parsed.to) ? parsed.to : [] };
  } catch {
    return { from: {}, to: [] };
  }
}

function metadata(type: ObjectType, p: Record<string, string>): Record<string, unknown> {
  switch (type) {
    case 'notes':
      return { body: p.hs_note_body ?? '' };
    case 'calls':
      return {
        body: p.hs_call_body ?? '',
        title: p.hs_call_title ?? '',
        status: p.hs_call_status ?? null,
        toNumber: p.hs_call_to_number ?? null,
        fromNumber: p.hs_call_from_number ?? null,
        durationMilliseconds: p.hs_call_duration ? Number(p.hs_call_duration) : null,
        disposition: p.hs_call_disposition ?? null,
      };
    case 'emails':
      return {
        ...parties(p.hs_email_headers),
        subject: p.hs_email_subject ?? '',
        text: p.hs_email_text ?? null,
        html: p.hs_email_html ?? null,
      };
    case 'meetings':
      return {
        body: p.hs_meeting_body ?? '',
        title: p.hs_meeting_title ?? '',
        startTime: p.hs_meeting_start_time ? ms(p.hs_meeting_start_time, '') : null,
        endTime: p.hs_meeting_end_time ? ms(p.hs_meeting_end_time, '') : null,
      };
    default:
      return {
        body: p.hs_task_body ?? '',
        subject: p.hs_task_subject ?? '',
        status: p.hs_task_status ?? 'NOT_STARTED',
        priority: p.hs_task_priority ?? 'NONE',
        forObjectType: 'CONTACT',
      };
  }
}

export function engagementV1Routes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });

  app.get('/engagements/v1/engagements/associated/:objectType/:objectId/paged', (c) => {
    const fromType = FROM_TYPES[c.req.param('objectType').toUpperCase()];
    const fromId = c.req.param('objectId');
    if (!fromType)
      return hubspotError(c, 400, 'VALIDATION_ERROR', `Unsupported object type ${c.req.param('objectType')}`);
    if (!ctx.state.get(fromType, fromId)) {
      return hubspotError(c, 404, 'OBJECT_NOT_FOUND', `${fromType} ${fromId} does not exist`);
    }
    const limit = Math.min(intParam(c, 'limit', 100, MAX_LIMIT), MAX_LIMIT);
    const after = Number(c.req.query('offset') ?? 0) || 0;

    const all: { type: ObjectType; record: CrmRecord }[] = [];
    for (const type of Object.keys(V1_TYPE) as ObjectType[]) {
      for (const id of ctx.state.associations(fromType, fromId, type).keys()) {
        const record = ctx.state.get(type, id);
        if (record) all.push({ type, record });
      }
    }
    all.sort((a, b) => Number(a.record.id) - Number(b.record.id));
    const rest = all.filter((e) => Number(e.record.id) > after);
    const pageOf = rest.slice(0, limit);
    const last = pageOf.at(-1);
    return c.json({
      results: pageOf.map(({ type, record }) => {
        const p = record.properties;
        const created = Date.parse(record.createdAt);
        return {
          engagement: {
            id: Number(record.id),
            portalId: 62515,
            active: true,
            createdAt: created,
            lastUpdated: Date.parse(record.updatedAt),
            ownerId: p.hubspot_owner_id ? Number(p.hubspot_owner_id) : null,
            type: V1_TYPE[type],
            timestamp: ms(p.hs_timestamp, record.createdAt),
          },
          associations: {
            contactIds: [...ctx.state.associations(type, record.id, 'contacts').keys()].map(Number),
            companyIds: [...ctx.state.associations(type, record.id, 'companies').keys()].map(Number),
            dealIds: [],
            ownerIds: [],
            workflowIds: [],
            ticketIds: [],
          },
          attachments: [],
          metadata: metadata(type, p),
        };
      }),
      hasMore: rest.length > pageOf.length,
      offset: last ? Number(last.record.id) : after,
    });
  });

  return app;
}
