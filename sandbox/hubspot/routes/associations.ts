import { Hono } from 'hono';
import { SandboxHttpError, intParam, objectTypeParam, page, type SandboxContext } from '../context.js';
import { ASSOCIATION_TYPES, defaultAssociationType } from '../object-types.js';

/** Associations v4: read a record's associations (paged) and create default ones. */
export function associationRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });

  app.get('/crm/v4/objects/:fromType/:id/associations/:toType', (c) => {
    const fromType = objectTypeParam(c, 'fromType');
    const toType = objectTypeParam(c, 'toType');
    const limit = intParam(c, 'limit', 500, 500);
    const targets = [...ctx.state.associations(fromType, c.req.param('id'), toType)]
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
    const { results, paging } = page(targets, c.req.query('after'), limit);
    return c.json({ results, ...(paging ? { paging } : {}) });
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
