import { Hono } from 'hono';
import { z } from 'zod';
import type { CustomerContext } from '../../services/customer-context.js';
import type { AppEnv } from '../middleware/request-log.js';
import { validate } from '../validate.js';

const contextQuery = z.object({
  email: z.email({ message: 'email must be an email address' }).max(254),
});

/** A follow-up is a CRM task: HubSpot ids are numeric. */
export const followUpParam = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,19}$/, { message: 'not a follow-up id' }),
});

/**
 * API-token clients. They name nobody (service credentials), so completing a follow-up here
 * records no acting user; the add-in's route takes it from the user's token.
 */
export function customerRoutes(deps: { context: CustomerContext }) {
  return new Hono<AppEnv>()
    .get('/context', validate('query', contextQuery), async (c) =>
      c.json(await deps.context(c.req.valid('query').email)),
    )
    .post('/follow-ups/:id/complete', validate('param', followUpParam), async (c) => {
      const { id } = c.req.valid('param');
      await deps.context.completeFollowUp(id);
      c.get('log')?.info({ followUp: id }, 'follow-up marked done');
      return c.json({ id, status: 'completed' });
    });
}
