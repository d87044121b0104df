import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { stream } from 'hono/streaming';
import { alertIdParams, trailQuery, trailResendBody, trailResendSchema, trailSchema } from '../../contracts/index.js';
import type { AlertTrail } from '../../services/alert-trail.js';
import type { AlertStore } from '../../store/alerts.js';
import { httpError } from '../errors.js';
import { actingPerson, principalOf } from '../middleware/auth.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export interface TrailRoutesDeps {
  alerts: AlertStore;
  trail: AlertTrail;
}

const tags = ['alerts'];
const security = SECURITY.apiToken;
const params = alertIdParams;

const show = createRoute({
  method: 'get',
  path: '/{id}/trail',
  tags,
  security,
  summary: "The alert's trail: every step from request to summary, in order",
  description:
    'The request and its versions, approval requests, reminders, decisions and refusals, each delivery (channel, attempts, outcome, fallback, CRM engagement id), responses and where they were routed, tasks, the summary and resends; each with its time and actor. Paged: follow `next.url`.',
  request: { params, query: trailQuery },
  responses: { 200: json('One page of the trail, oldest first.', trailSchema), ...errors(400, 401, 403, 404) },
});

const csv = createRoute({
  method: 'get',
  path: '/{id}/trail.csv',
  tags,
  security,
  summary: "The alert's whole trail as CSV (streamed)",
  request: { params: alertIdParams },
  responses: {
    200: {
      description: 'The trail, oldest first, one step a line.',
      content: { 'text/csv': { schema: { type: 'string' } } },
    },
    ...errors(400, 401, 403, 404),
  },
});

const resend = createRoute({
  method: 'post',
  path: '/{id}/trail/resend',
  tags,
  security,
  summary: 'Send the alert again to its unconfirmed rows',
  description:
    'The requester or an approver, signed in as a person (never a service token). Some of these customers may already have the message: the request must say `confirm: true`. One `key` per click: a retried request resends nothing more. Audited on the trail.',
  middleware: [
    bodyLimit({
      maxSize: 4 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'request body is larger than 4 KB', '(body)');
      },
    }),
    otherMediaTypeAsEmpty('json', trailResendBody),
  ],
  request: { params, body: jsonBody(trailResendBody) },
  responses: { 202: json('Resending.', trailResendSchema), ...errors(400, 401, 403, 404, 409) },
});

/**
 * The trail as CSV, streamed a page at a time. A store that fails part-way aborts the answer, so
 * the client sees a failed download, never a short file that looks whole; the log says why
 * (the error's message only: the statement's values are customer data).
 */
export function trailCsv(c: Context<AppEnv>, trail: AlertTrail, alertId: string): Response {
  c.header('content-type', 'text/csv; charset=utf-8');
  c.header('content-disposition', `attachment; filename="${alertId}-trail.csv"`);
  c.header('cache-control', 'no-store');
  return stream(
    c,
    async (out) => {
      for await (const chunk of trail.csv(alertId)) if (chunk) await out.write(chunk);
    },
    async (error, out) => {
      c.get('log')?.error({ alertId, error: error.message }, 'the trail CSV stopped part-way');
      out.abort();
    },
  );
}

/** GET /api/alerts/{id}/trail(.csv) and the resend, beside the alert routes (server/routes/alerts.ts). */
export function trailRoutes(deps: TrailRoutesDeps) {
  const load = async (id: string) => {
    const alert = await deps.alerts.get(id);
    if (!alert) throw httpError('NOT_FOUND', 'no alert with this id', 'id');
    return alert;
  };

  return apiApp()
    .openapi(show, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const q = c.req.valid('query');
      const page = await deps.trail.page(alert.id, q.cursor, q.limit);
      const principal = principalOf(c);
      return c.json(
        {
          alertId: alert.id,
          entries: page.entries,
          next: page.next
            ? { cursor: page.next, url: `/api/alerts/${alert.id}/trail?cursor=${page.next}&limit=${q.limit}` }
            : null,
          unconfirmed: await deps.trail.unconfirmed(alert.id),
          pageUrl: principal.kind === 'person' ? await deps.trail.pageUrl(alert.id, principal.person.email) : null,
        },
        200,
      );
    })
    .openapi(csv, async (c) => {
      const alert = await load(c.req.valid('param').id);
      return trailCsv(c, deps.trail, alert.id) as never;
    })
    .openapi(resend, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const person = actingPerson(c, 'person', undefined);
      const result = await deps.trail.resend(alert, person, c.req.valid('json'));
      return c.json({ alertId: alert.id, ...result }, 202);
    });
}
