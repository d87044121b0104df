import { createRoute } from '@hono/zod-openapi';
import { liveSummarySchema } from '../../contracts/index.js';
import type { LiveSummaryService } from '../../services/live-summary.js';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';
import type { AddinEnv } from './auth.js';

const show = createRoute({
  method: 'get',
  path: '/',
  tags: ['add-in'],
  security: SECURITY.addinToken,
  summary: "The signed-in person's alerts in flight: pending approval, sending (sent of total), done today",
  responses: { 200: json('The live summary, with links to the dashboard.', liveSummarySchema), ...errors(401) },
});

/**
 * /api/addin/summary: the small live summary the approval view shows above an approval request,
 * for whoever the add-in token says signed in (services/live-summary.ts, the same as Slack's App Home).
 */
export function addinSummaryRoutes(summary: LiveSummaryService) {
  return apiApp<AddinEnv>().openapi(show, async (c) => {
    // The pane refreshes it while it is open: never cached on the way.
    c.header('cache-control', 'no-store');
    const user = c.get('addinUser');
    return c.json(await summary.forPerson({ email: user.email, ...(user.personId ? { id: user.personId } : {}) }), 200);
  });
}
