import { Hono, type Context } from 'hono';
import { SandboxHttpError, intParam, jsonBody, listParam, page, type SandboxContext } from '../context.js';
import { hubspotError } from '../errors.js';
import { matchesGroups } from '../search.js';
import { decodeCursor, encodeCursor } from '../access.js';
import type { ListRecord, SandboxState } from '../state.js';

/** Members sorted by record id, as HubSpot pages them. DYNAMIC lists are evaluated now. */
export function listMembers(state: SandboxState, list: ListRecord, now: number) {
  if (list.processingType !== 'DYNAMIC') {
    return list.members
      .filter((m) => state.get('contacts', m.recordId))
      .sort((a, b) => Number(a.recordId) - Number(b.recordId));
  }
  const ctx = { type: 'contacts' as const, defs: state.propertyDefs('contacts'), state, now };
  const members: ListRecord['members'] = [];
  for (const record of state.table('contacts').values()) {
    if (record.archived || !matchesGroups(record, list.filterGroups ?? [], ctx)) continue;
    const joined = record.createdAt > list.createdAt ? record.createdAt : list.createdAt;
    members.push({ recordId: record.id, membershipTimestamp: joined });
  }
  return members;
}

export function presentList(state: SandboxState, list: ListRecord, now: number) {
  const members = listMembers(state, list, now);
  const lastAdded = members.reduce((max, m) => (m.membershipTimestamp > max ? m.membershipTimestamp : max), '');
  return {
    listId: list.listId,
    listVersion: list.listVersion,
    name: list.name,
    objectTypeId: list.objectTypeId,
    processingType: list.processingType,
    processingStatus: 'COMPLETE',
    createdAt: list.createdAt,
    updatedAt: list.updatedAt,
    filtersUpdatedAt: list.updatedAt,
    size: members.length,
    additionalProperties: {
      hs_list_size: String(members.length),
      hs_list_reference_count: '0',
      ...(lastAdded ? { hs_last_record_added_at: String(Date.parse(lastAdded)) } : {}),
    },
  };
}

export function listRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });
  const find = (listId: string) => {
    const list = ctx.state.lists.find((l) => l.listId === listId);
    if (!list) throw new SandboxHttpError(404, 'OBJECT_NOT_FOUND', `List ${listId} does not exist`);
    return list;
  };

  app.post('/crm/v3/lists/search', async (c) => {
    const body = await jsonBody<{
      query?: string;
      offset?: number;
      count?: number;
      processingTypes?: string[];
      listIds?: string[];
    }>(c);
    const count = Math.min(body.count ?? 20, 500);
    const offset = body.offset ?? 0;
    const query = (body.query ?? '').toLowerCase();
    const matching = ctx.state.lists.filter(
      (l) =>
        l.name.toLowerCase().includes(query) &&
        (!body.processingTypes?.length || body.processingTypes.includes(l.processingType)) &&
        (!body.listIds?.length || body.listIds.includes(l.listId)),
    );
    const now = ctx.now();
    const lists = matching.slice(offset, offset + count).map((l) => {
      const { size: _size, ...rest } = presentList(ctx.state, l, now);
      return rest;
    });
    return c.json({
      lists,
      offset: offset + lists.length,
      hasMore: offset + count < matching.length,
      total: matching.length,
    });
  });

  app.get('/crm/v3/lists', (c) => {
    const ids = listParam(c, 'listIds');
    const now = ctx.now();
    return c.json({
      lists: ctx.state.lists.filter((l) => ids.includes(l.listId)).map((l) => presentList(ctx.state, l, now)),
    });
  });

  app.get('/crm/v3/lists/:listId', (c) =>
    c.json({ list: presentList(ctx.state, find(c.req.param('listId')), ctx.now()) }),
  );

  app.get('/crm/v3/lists/:listId/memberships', (c) => {
    const listId = c.req.param('listId');
    const members = listMembers(ctx.state, find(listId), ctx.now());
    const limit = intParam(c, 'limit', 100, 250);
    if (ctx.access.opaqueCursors) return c.json(opaquePage(listId, members, c.req.query('after'), limit));
    const { results, paging } = page(members, c.req.query('after'), limit);
    return c.json({ results, total: members.length, ...(paging ? { paging } : {}) });
  });

  const change = (mode: 'add' | 'remove') => async (c: Context) => {
    const list = find(c.req.param('listId') ?? '');
    if (list.processingType === 'DYNAMIC') {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `List ${list.listId} is DYNAMIC; memberships can only change on MANUAL or SNAPSHOT lists`,
      );
    }
    const ids = (await jsonBody<unknown[]>(c)).map(String);
    const known = ids.filter((id) => ctx.state.get('contacts', id));
    const missing = ids.filter((id) => !ctx.state.get('contacts', id));
    const at = new Date(ctx.now()).toISOString();
    if (mode === 'add') {
      const added = known.filter((id) => !list.members.some((m) => m.recordId === id));
      list.members.push(...added.map((recordId) => ({ recordId, membershipTimestamp: at })));
      ctx.changed();
      return c.json({ recordIdsAdded: added, recordIdsMissing: missing });
    }
    const removed = known.filter((id) => list.members.some((m) => m.recordId === id));
    list.members = list.members.filter((m) => !removed.includes(m.recordId));
    ctx.changed();
    return c.json({ recordIdsRemoved: removed, recordIdsMissing: missing });
  };
  app.put('/crm/v3/lists/:listId/memberships/add', change('add'));
  app.put('/crm/v3/lists/:listId/memberships/remove', change('remove'));

  return app;
}

/** A membership page whose `after` is opaque, as HubSpot's is: only a cursor it handed out pages on. */
function opaquePage<T>(listId: string, members: T[], after: string | undefined, limit: number) {
  const start = after ? decodeCursor(`list:${listId}`, after) : 0;
  const results = members.slice(start, start + limit);
  const next = start + limit < members.length ? encodeCursor(`list:${listId}`, start + limit) : undefined;
  return {
    results,
    total: members.length,
    ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
  };
}
