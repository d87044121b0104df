import { Hono } from 'hono';
import { z } from 'zod';
import type { CustomerContext } from '../customer-context.js';
import type { AppEnv } from '../middleware/request-log.js';
import { validate } from '../validate.js';

const contextQuery = z.object({
  email: z.email({ message: 'email must be an email address' }).max(254),
});

export function customerRoutes(deps: { context: CustomerContext }) {
  return new Hono<AppEnv>().get('/context', validate('query', contextQuery), async (c) =>
    c.json(await deps.context(c.req.valid('query').email)),
  );
}
