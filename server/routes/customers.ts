import { createRoute } from '@hono/zod-openapi';
import {
  contextQuery,
  customerContextSchema,
  followUpCompletedSchema,
  followUpIdParams,
} from '../../contracts/index.js';
import type { CustomerContext } from '../../services/customer-context.js';
import { principalOf } from '../middleware/auth.js';
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
  description:
    "Done already is fine. A person may complete follow-ups Rapport created and tasks they own in the CRM; a service token names nobody and may complete only Rapport's (403 otherwise). Who did it is recorded on the task.",
  request: { params: followUpIdParams },
  responses: { 200: json('Done.', followUpCompletedSchema), ...errors(400, 401, 403, 404) },
});

/** Customer reads and follow-ups for API clients: people by their token, services by their scopes. */
export function customerRoutes(deps: { context: CustomerContext }) {
  return apiApp()
    .openapi(context, async (c) => c.json(await deps.context(c.req.valid('query').email), 200))
    .openapi(completeFollowUp, async (c) => {
      const { id } = c.req.valid('param');
      // A person may complete Rapport's follow-ups and their own; a service names nobody: Rapport's only.
      const principal = principalOf(c);
      await deps.context.completeFollowUp(
        id,
        principal.kind === 'person' ? { email: principal.person.email, source: 'api' } : { source: 'api' },
      );
      c.get('log')?.info({ followUp: id }, 'follow-up marked done');
      return c.json({ id, status: 'completed' as const }, 200);
    });
}
