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
  responses: { 200: json('The customer context.', customerContextSchema), ...errors(400, 401, 404) },
});

const completeFollowUp = createRoute({
  method: 'post',
  path: '/follow-ups/{id}/complete',
  tags,
  security,
  summary: 'Mark a follow-up (CRM task) done',
  description:
    'Done already is fine. API tokens name nobody: they may complete only follow-ups Rapport created (403 otherwise), recorded on the task as done by an API client.',
  request: { params: followUpIdParams },
  responses: { 200: json('Done.', followUpCompletedSchema), ...errors(400, 401, 403, 404) },
});

/**
 * API-token clients. They name nobody (service credentials), so they complete only the follow-ups
 * Rapport created, recorded as done by an API client; the add-in's route takes the user from the token.
 */
export function customerRoutes(deps: { context: CustomerContext }) {
  return apiApp()
    .openapi(context, async (c) => c.json(await deps.context(c.req.valid('query').email), 200))
    .openapi(completeFollowUp, async (c) => {
      const { id } = c.req.valid('param');
      // An API token names nobody: it may complete only the follow-ups Rapport created.
      await deps.context.completeFollowUp(id, { source: 'api' });
      c.get('log')?.info({ followUp: id }, 'follow-up marked done');
      return c.json({ id, status: 'completed' as const }, 200);
    });
}
