import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { touchAcceptedSchema, touchIdParams, touchInputBody, touchSchema, type Touch } from '../../contracts/index.js';
import type { TouchRow, TouchStore } from '../../store/touches.js';
import type { TouchIntake } from '../../services/touch-intake.js';
import { httpError } from '../errors.js';
import { actingPerson, principalOf } from '../middleware/auth.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export interface TouchRoutesDeps {
  intake: TouchIntake;
  touches: TouchStore;
}

/** What API clients see of a touch; never the internal hash. */
export function touchView(touch: TouchRow): Touch {
  return {
    id: touch.id,
    status: touch.status,
    statusUrl: `/api/touches/${touch.id}`,
    contact: { email: touch.contactEmail, crmId: touch.contactCrmId },
    channel: touch.channel,
    occurredAt: touch.occurredAt,
    // The column is text; the kinds written are the CRM's (the contract check in tests holds it to them).
    engagement: touch.engagementId
      ? { id: touch.engagementId, kind: touch.engagementKind as NonNullable<Touch['engagement']>['kind'] }
      : null,
    attempts: touch.attempts,
    lastError: touch.status === 'pending' ? touch.lastError : null,
    reason: touch.status === 'failed' ? touch.failureReason : null,
    createdAt: touch.createdAt,
    syncedAt: touch.syncedAt,
  };
}

const tags = ['touches'];
const security = SECURITY.apiToken;

const submit = createRoute({
  method: 'post',
  path: '/',
  tags,
  security,
  summary: 'Log a touch',
  description:
    "Accepted at once (202) and written to the contact's CRM timeline by a workflow that retries until it lands. The same `idempotencyKey` names the same touch: posting it again answers `duplicate: true`.",
  middleware: [
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'request body is larger than 64 KB', '(body)');
      },
    }),
    otherMediaTypeAsEmpty('json', touchInputBody),
  ],
  request: { body: jsonBody(touchInputBody) },
  responses: {
    202: json('Accepted; poll `statusUrl` (also the Location header).', touchAcceptedSchema),
    ...errors(400, 401, 403, 409, 422),
  },
});

const show = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  security,
  summary: 'A touch and where it is on its way to the CRM',
  request: { params: touchIdParams },
  responses: { 200: json('The touch.', touchSchema), ...errors(400, 401, 403, 404) },
});

const retry = createRoute({
  method: 'post',
  path: '/{id}/retry',
  tags,
  security,
  summary: 'Start the CRM write of a pending or failed touch again',
  description:
    'For operators, once the cause is fixed (a contact created, a CRM credential renewed): a failed touch goes back to pending and its workflow runs again; a pending one gets its workflow started if it is not running. Every step is idempotent, so the timeline still gets one engagement.',
  request: { params: touchIdParams },
  responses: {
    202: json('Restarted; poll `statusUrl`.', touchSchema),
    ...errors(400, 401, 403, 404, 409),
  },
});

export function touchRoutes(deps: TouchRoutesDeps) {
  const load = async (id: string) => {
    const touch = await deps.touches.get(id);
    if (!touch) throw httpError('NOT_FOUND', 'no touch with this id', 'id');
    return touch;
  };

  return apiApp()
    .openapi(submit, async (c) => {
      const body = c.req.valid('json');
      const principal = principalOf(c);
      // A person logs their own touches. A service principal (a call recorder, a mail gateway)
      // records who talked to the customer as its system saw it: attribution on the timeline,
      // which authorises nothing, so it may name them; it must name someone.
      const loggedBy = principal.kind === 'person' ? actingPerson(c, 'loggedBy', body.loggedBy).email : body.loggedBy;
      if (loggedBy === undefined) {
        throw httpError('VALIDATION', 'loggedBy: a service principal names who logged the touch', 'loggedBy');
      }
      const { touch, created } = await deps.intake.submit({ ...body, loggedBy });
      c.header('location', `/api/touches/${touch.id}`);
      return c.json({ ...touchView(touch), duplicate: !created }, 202);
    })
    .openapi(show, async (c) => c.json(touchView(await load(c.req.valid('param').id)), 200))
    .openapi(retry, async (c) => {
      const touch = await load(c.req.valid('param').id);
      if (touch.status === 'synced') throw httpError('CONFLICT', 'this touch is already in the CRM', 'id');
      const pending = touch.status === 'failed' ? ((await deps.touches.reopen(touch.id)) ?? touch) : touch;
      await deps.intake.startWorkflow(touch.id, { again: true });
      c.get('log')?.info({ touchId: touch.id, was: touch.status }, 'touch retried');
      c.header('location', `/api/touches/${touch.id}`);
      return c.json(touchView(pending), 202);
    });
}
