import { Hono } from 'hono';
import { z } from 'zod';
import { SandboxHttpError, jsonBody, type SandboxContext } from '../context.js';
import type { ListRecord } from '../state.js';
import { presentList } from './lists.js';

const CONTACTS = '0-1';

const createSchema = z.object({
  name: z.string().trim().min(1, { message: 'name is required' }).max(255),
  objectTypeId: z.string().min(1, { message: 'objectTypeId is required' }),
  processingType: z.enum(['MANUAL', 'DYNAMIC', 'SNAPSHOT'], {
    message: 'processingType must be MANUAL, DYNAMIC or SNAPSHOT',
  }),
  filterBranch: z.unknown().optional(),
});

const addAndRemoveSchema = z.object({
  recordIdsToAdd: z
    .array(z.union([z.string(), z.number()]))
    .max(100_000)
    .default([]),
  recordIdsToRemove: z
    .array(z.union([z.string(), z.number()]))
    .max(100_000)
    .default([]),
});

/**
 * The v3 lists API's writes, so a user can build an audience of their own: create a contact list,
 * add and remove members in one call, delete it. MANUAL and SNAPSHOT lists only; a DYNAMIC list's
 * filterBranch language is not modelled (the seeded DYNAMIC lists use search filters instead).
 */
export function listEditRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });
  const find = (listId: string) => {
    const list = ctx.state.lists.find((l) => l.listId === listId);
    if (!list) throw new SandboxHttpError(404, 'OBJECT_NOT_FOUND', `List ${listId} does not exist`);
    return list;
  };

  app.post('/crm/v3/lists', async (c) => {
    const body = createSchema.parse(await jsonBody<unknown>(c));
    if (body.objectTypeId !== CONTACTS) {
      throw new SandboxHttpError(
        400,
        'VALIDATION_ERROR',
        `The sandbox keeps contact lists only (objectTypeId ${CONTACTS})`,
      );
    }
    if (body.processingType === 'DYNAMIC') {
      throw new SandboxHttpError(
        400,
        'VALIDATION_ERROR',
        'The sandbox creates MANUAL and SNAPSHOT lists; DYNAMIC filterBranch definitions are not modelled',
      );
    }
    if (ctx.state.lists.some((l) => l.name.toLowerCase() === body.name.toLowerCase())) {
      throw new SandboxHttpError(409, 'CONFLICT', `A list named '${body.name}' already exists`);
    }
    const at = new Date(ctx.now()).toISOString();
    const nextId = Math.max(0, ...ctx.state.lists.map((l) => Number(l.listId) || 0)) + 1;
    const list: ListRecord = {
      listId: String(nextId),
      name: body.name,
      processingType: body.processingType,
      objectTypeId: CONTACTS,
      listVersion: 1,
      createdAt: at,
      updatedAt: at,
      members: [],
    };
    ctx.state.lists.push(list);
    ctx.changed();
    return c.json({ list: presentList(ctx.state, list, ctx.now()) });
  });

  app.delete('/crm/v3/lists/:listId', (c) => {
    const list = find(c.req.param('listId'));
    ctx.state.lists = ctx.state.lists.filter((l) => l !== list);
    ctx.changed();
    return c.body(null, 204);
  });

  app.put('/crm/v3/lists/:listId/memberships/add-and-remove', async (c) => {
    const list = find(c.req.param('listId'));
    if (list.processingType === 'DYNAMIC') {
      throw new SandboxHttpError(
        400,
        'VALIDATION_ERROR',
        `List ${list.listId} is DYNAMIC; memberships can only change on MANUAL or SNAPSHOT lists`,
      );
    }
    const body = addAndRemoveSchema.parse(await jsonBody<unknown>(c));
    const exists = (id: string) => Boolean(ctx.state.get('contacts', id));
    const toAdd = [...new Set(body.recordIdsToAdd.map(String))];
    const toRemove = [...new Set(body.recordIdsToRemove.map(String))];
    const at = new Date(ctx.now()).toISOString();
    const added = toAdd.filter((id) => exists(id) && !list.members.some((m) => m.recordId === id));
    list.members.push(...added.map((recordId) => ({ recordId, membershipTimestamp: at })));
    const removed = toRemove.filter((id) => exists(id) && list.members.some((m) => m.recordId === id));
    list.members = list.members.filter((m) => !removed.includes(m.recordId));
    list.updatedAt = at;
    ctx.changed();
    return c.json({
      recordIdsAdded: added,
      recordIdsRemoved: removed,
      recordsIdsMissing: [...toAdd, ...toRemove].filter((id) => !exists(id)),
    });
  });

  return app;
}
