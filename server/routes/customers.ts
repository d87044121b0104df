import { createRoute } from '@hono/zod-openapi';
import {
  contextQuery,
  customerContextSchema,
  followUpCompletedSchema,
  followUpIdParams,
} from '../../contracts/index.js';
import type { CustomerContext } from '../../services/customer-context.js';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

const tags = ['customers'];
const security = SECURITY.apiToken;

const context = createRoute({
  method: 'get',
  path: '/context',
  tags,
  security,
  summary: 'Everything a rep needs about one customer',
  description: 'Profile, owner, company, segments, timeline, next questions, next best action and open follow-ups.',
  request: { query: contextQuery },
  responses: { 200: json('The customer context.', customerContextSchema), ...errors(400, 401, 403, 404) },
});

const completeFollowUp = createRoute({
  method: 'post',
  path: '/follow-ups/{id}/complete',
  tags,
  security,
  summary: 'Mark a follow-up (CRM task) done',
  description: 'Done already is fine. API tokens name nobody, so no acting user is recorded.',
  request: { params: followUpIdParams },
  responses: { 200: json('Done.', followUpCompletedSchema), ...errors(400, 401, 403, 404) },
});

/**
 * API-token clients. They name nobody (service credentials), so completing a follow-up here
 * records no acting user; the add-in's route takes it from the user's token.
 */
export function customerRoutes(deps: { context: CustomerContext }) {
  return apiApp()
    .openapi(context, async (c) => c.json(await deps.context(c.req.valid('query').email), 200))
    .openapi(completeFollowUp, async (c) => {
      const { id } = c.req.valid('param');
      await deps.context.completeFollowUp(id);
      c.get('log')?.info({ followUp: id }, 'follow-up marked done');
      return c.json({ id, status: 'completed' as const }, 200);
    });
}
