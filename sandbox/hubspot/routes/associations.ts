import { Hono } from 'hono';
import { SandboxHttpError, intParam, jsonBody, objectTypeParam, page, type SandboxContext } from '../context.js';
import { ASSOCIATION_TYPES, defaultAssociationType, type ObjectType } from '../object-types.js';

/** HubSpot: at most 1,000 ids per association batch read (since 2025-02). */
const ASSOCIATION_BATCH_LIMIT = 1000;

/** Associations v4: read a record's associations (paged, or many records' at once) and create default ones. */
export function associationRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });

  /** A record's associations as v4 lists them, oldest target first. */
  const associated = (fromType: ObjectType, id: string, toType: ObjectType) =>
    [...ctx.state.associations(fromType, id, toType)]
      .filter(([toId]) => ctx.state.get(toType, toId))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([toId, typeIds]) => ({
        // v4 sends record ids as JSON numbers here.
        toObjectId: Number(toId),
        associationTypes: [...typeIds]
          .sort((a, b) => a - b)
          .map((typeId) => ({
            category: 'HUBSPOT_DEFINED',
            typeId,
            label: ASSOCIATION_TYPES.get(typeId)?.label ?? null,
          })),
      }));

  app.get('/crm/v4/objects/:fromType/:id/associations/:toType', (c) => {
    const fromType = objectTypeParam(c, 'fromType');
    const toType = objectTypeParam(c, 'toType');
    const limit = intParam(c, 'limit', 500, 500);
    const targets = associated(fromType, c.req.param('id'), toType);
    const { results, paging } = page(targets, c.req.query('after'), limit);
    return c.json({ results, ...(paging ? { paging } : {}) });
  });

  // Batch read: each input's associations (up to 500, then `paging` for that input); an input
  // without any comes back as an error entry with status 207, as HubSpot answers.
  app.post('/crm/v4/associations/:fromType/:toType/batch/read', async (c) => {
    const fromType = objectTypeParam(c, 'fromType');
    const toType = objectTypeParam(c, 'toType');
    const body = await jsonBody<{ inputs?: { id?: unknown; after?: unknown }[] }>(c);
    if (!Array.isArray(body.inputs)) throw new SandboxHttpError(400, 'VALIDATION_ERROR', 'inputs must be an array');
    if (body.inputs.length > ASSOCIATION_BATCH_LIMIT) {
      throw new SandboxHttpError(
        400,
        'VALIDATION_ERROR',
        `Batch input of ${body.inputs.length} exceeds the limit of ${ASSOCIATION_BATCH_LIMIT} inputs`,
      );
    }
    const startedAt = new Date(ctx.now()).toISOString();
    const results: unknown[] = [];
    const without: string[] = [];
    for (const input of body.inputs) {
      const id = String(input.id ?? '');
      const targets = associated(fromType, id, toType);
      if (targets.length === 0) {
        without.push(id);
        continue;
      }
      const { results: to, paging } = page(targets, input.after ? String(input.after) : undefined, 500);
      results.push({ from: { id }, to, ...(paging ? { paging: { next: { after: paging.next.after } } } : {}) });
    }
    const completedAt = new Date(ctx.now()).toISOString();
    if (without.length === 0) return c.json({ status: 'COMPLETE', results, startedAt, completedAt });
    return c.json(
      {
        status: 'COMPLETE',
        results,
        numErrors: without.length,
        errors: without.map((id) => ({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${toType} is associated with ${fromType} ${id}.`,
          context: { fromObjectId: [id] },
        })),
        startedAt,
        completedAt,
      },
      207,
    );
  });

  app.put('/crm/v4/objects/:fromType/:id/associations/default/:toType/:toId', (c) => {
    const fromType = objectTypeParam(c, 'fromType');
    const toType = objectTypeParam(c, 'toType');
    const { id, toId } = c.req.param();
    const typeId = defaultAssociationType(fromType, toType);
    if (typeId === undefined)
      throw new SandboxHttpError(400, 'VALIDATION_ERROR', `No association type from ${fromType} to ${toType}`);
    if (!ctx.state.get(fromType, id) || !ctx.state.get(toType, toId)) {
      throw new SandboxHttpError(404, 'OBJECT_NOT_FOUND', `No ${fromType} ${id} or ${toType} ${toId}`);
    }
    ctx.state.associate(fromType, id, toType, toId, typeId);
    ctx.changed();
    const now = new Date(ctx.now()).toISOString();
    return c.json({
      status: 'COMPLETE',
      results: [
        {
          from: { id },
          to: { id: toId },
          associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId },
        },
      ],
      startedAt: now,
      completedAt: now,
    });
  });

  return app;
}
