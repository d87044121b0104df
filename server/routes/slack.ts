import { createRoute } from '@hono/zod-openapi';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { ERROR_CONTENT } from '../openapi/responses.js';

const text = { 'text/plain': { schema: { type: 'string' as const } } };

const events = createRoute({
  method: 'post',
  path: '/slack/events',
  tags: ['webhooks'],
  security: SECURITY.slackSignature,
  summary: "Slack's requests: events, slash commands, interactivity",
  description:
    "Bolt's listeners behind a signed request (no bearer token). Configure `{PUBLIC_URL}/slack/events` as the Slack app's request URL; 404 when Slack is off or runs in Socket Mode.",
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: { type: 'object', description: 'Events API envelope.' } },
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', description: 'Slash command, or `payload=` with interactivity JSON.' },
        },
      },
    },
  },
  responses: {
    200: {
      description: "Acknowledged: empty, the url_verification challenge, or a listener's answer.",
      content: { 'application/json': { schema: { type: 'object' as const } }, ...text },
    },
    400: { description: 'Malformed request.', content: text },
    401: { description: 'Signature or timestamp not valid.', content: text },
    404: {
      description: 'Slack is off or runs in Socket Mode (JSON), or no listener acknowledged in time (empty).',
      content: { ...ERROR_CONTENT, ...text },
    },
    413: { description: 'Request too large.', content: text },
    429: {
      description: 'Too many requests (SLACK_RATE_LIMIT_PER_MINUTE); Slack retries after Retry-After.',
      content: ERROR_CONTENT,
    },
    500: {
      description: 'A listener failed before acknowledging (empty), or Rapport did (JSON).',
      content: { ...ERROR_CONTENT, ...text },
    },
  },
});

/**
 * Slack: Bolt's requests at POST /slack/events (signed, so no bearer token); see slack-app/.
 * Documented only: Bolt reads the raw request and its answer is whatever a listener acknowledges.
 */
export function slackRoutes(slack: { handle(request: Request): Promise<Response> } | undefined) {
  const app = apiApp();
  app.openAPIRegistry.registerPath(events);
  return app.post(events.getRoutingPath(), (c) => (slack ? slack.handle(c.req.raw) : c.notFound()));
}
