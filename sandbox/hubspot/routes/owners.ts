import { Hono } from 'hono';
import { intParam, page, type SandboxContext } from '../context.js';
import { hubspotError } from '../errors.js';
import type { OwnerRecord } from '../state.js';

function present(owner: OwnerRecord) {
  return {
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: owner.createdAt,
    updatedAt: owner.updatedAt,
    archived: owner.archived,
    teams: [],
  };
}

export function ownerRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });

  app.get('/crm/v3/owners', (c) => {
    const email = c.req.query('email')?.toLowerCase();
    const archived = c.req.query('archived') === 'true';
    const matching = ctx.state.owners.filter(
      (o) => o.archived === archived && (!email || o.email.toLowerCase() === email),
    );
    const { results, paging } = page(matching, c.req.query('after'), intParam(c, 'limit', 100, 500));
    return c.json({ results: results.map(present), ...(paging ? { paging } : {}) });
  });

  app.get('/crm/v3/owners/:ownerId', (c) => {
    const id = c.req.param('ownerId');
    const byUserId = c.req.query('idProperty') === 'userId';
    const owner = ctx.state.owners.find((o) => (byUserId ? String(o.userId) === id : o.id === id));
    if (!owner) return hubspotError(c, 404, 'OBJECT_NOT_FOUND', `Owner ${id} not found`);
    return c.json(present(owner));
  });

  return app;
}
