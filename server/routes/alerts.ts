import { createRoute } from '@hono/zod-openapi';
import { workflowUrl, type TemporalUi } from '../../domain/broadcast/workflow-link.js';
import { bodyLimit } from 'hono/body-limit';
import type { ZodType } from 'zod';
import {
  alertAuditSchema,
  alertCancelBody,
  alertCancelledSchema,
  alertDecisionBody,
  alertDetailSchema,
  alertIdParams,
  alertListQuery,
  alertListSchema,
  alertProgressSchema,
  alertRequestBody,
  alertResponsesSchema,
  alertRevisedSchema,
  alertRevisionBody,
  alertSchema,
  alertSuppressedSchema,
  decisionResultSchema,
  type Alert,
  type AlertSuppressed,
} from '../../contracts/index.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { ApprovalStore } from '../../store/approvals.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { serviceAddress, type Person } from '../../domain/identity.js';
import { httpError } from '../errors.js';
import { actingPerson, principalOf } from '../middleware/auth.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export interface AlertRoutesDeps {
  alertIntake: AlertIntake;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  approvals: ApprovalStore;
  responses: ResponseStore;
  /** TEMPORAL_UI_URL and the namespace: each alert links to its workflow there. */
  temporalUi?: TemporalUi;
}

/** Route middleware for a JSON body of at most `kb` KB, validated by `schema`. */
const jsonOf = (kb: number, schema: ZodType) => [
  bodyLimit({
    maxSize: kb * 1024,
    onError: () => {
      throw httpError('VALIDATION', `request body is larger than ${kb} KB`, '(body)');
    },
  }),
  otherMediaTypeAsEmpty('json', schema),
];

export function alertView(alert: AlertRow, temporalUi?: TemporalUi): Alert {
  return {
    id: alert.id,
    status: alert.status,
    statusUrl: `/api/alerts/${alert.id}`,
    version: alert.version,
    requester: alert.requester,
    title: alert.title,
    body: alert.body,
    topic: alert.topic,
    lists: alert.listIds,
    channels: alert.channels,
    replyTo: alert.replyOwner,
    sendWindow: alert.sendWindow ?? null,
    approverGroup: alert.approverGroup,
    audience: alert.summary,
    decidedBy: alert.decidedBy,
    decisionComment: alert.decisionComment,
    createdAt: alert.createdAt,
    approvedAt: alert.approvedAt,
    completedAt: alert.completedAt,
    // The alert's workflow id is its id (services/alert-intake.ts).
    ...(temporalUi ? { temporalUrl: workflowUrl(temporalUi, alert.id) } : {}),
  };
}

const tags = ['alerts'];
const security = SECURITY.apiToken;
const params = alertIdParams;

const submit = createRoute({
  method: 'post',
  path: '/',
  tags,
  security,
  summary: 'Request an alert',
  description:
    'Accepted at once (202): the audience is resolved from the CRM lists, then the approver group is asked. Poll `statusUrl` (also the Location header).',
  middleware: jsonOf(64, alertRequestBody),
  request: { body: jsonBody(alertRequestBody) },
  responses: { 202: json('Accepted.', alertSchema), ...errors(400, 401, 403) },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'Alerts, newest first',
  request: { query: alertListQuery },
  responses: {
    200: json('One page; `next` is the next page, null on the last.', alertListSchema),
    ...errors(400, 401, 403),
  },
});

const show = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  security,
  summary: 'An alert with its audience and delivery counts',
  request: { params },
  responses: { 200: json('The alert.', alertDetailSchema), ...errors(400, 401, 403, 404) },
});

const progress = createRoute({
  method: 'get',
  path: '/{id}/progress',
  tags,
  security,
  summary: "The broadcast workflow's progress",
  request: { params },
  responses: {
    200: json('Progress (null when the workflow does not answer).', alertProgressSchema),
    ...errors(400, 401, 403, 404),
  },
});

const suppressed = createRoute({
  method: 'get',
  path: '/{id}/suppressed',
  tags,
  security,
  summary: 'Who is not sent to, and why (first 1000)',
  request: { params },
  responses: {
    200: json('Suppressed memberships and contacts.', alertSuppressedSchema),
    ...errors(400, 401, 403, 404),
  },
});

const audit = createRoute({
  method: 'get',
  path: '/{id}/audit',
  tags,
  security,
  summary: 'Every decision and refusal on the alert',
  request: { params },
  responses: { 200: json('The audit log, oldest first.', alertAuditSchema), ...errors(400, 401, 403, 404) },
});

const responses = createRoute({
  method: 'get',
  path: '/{id}/responses',
  tags,
  security,
  summary: "Customers' responses: answers, replies, bounces",
  request: { params },
  responses: { 200: json('Responses, oldest first.', alertResponsesSchema), ...errors(400, 401, 403, 404) },
});

const decide = createRoute({
  method: 'post',
  path: '/{id}/decision',
  tags,
  security,
  summary: "An approver's decision",
  description:
    'Four eyes (the requester cannot approve), the approver group, the current version, and once only; a refusal is audited.',
  middleware: jsonOf(16, alertDecisionBody),
  request: { params, body: jsonBody(alertDecisionBody) },
  responses: { 200: json('Decided.', decisionResultSchema), ...errors(400, 401, 403, 404, 409, 410) },
});

const revise = createRoute({
  method: 'put',
  path: '/{id}/revision',
  tags,
  security,
  summary: "The requester's revision after 'request changes'",
  middleware: jsonOf(64, alertRevisionBody),
  request: { params, body: jsonBody(alertRevisionBody) },
  responses: {
    200: json('The new version, back in approval.', alertRevisedSchema),
    ...errors(400, 401, 403, 404, 409, 410),
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  tags,
  security,
  summary: 'Stop an alert: before approval, or while it is being sent',
  description: 'What went out stays recorded; pending sends are cancelled at once.',
  middleware: jsonOf(8, alertCancelBody),
  request: { params, body: jsonBody(alertCancelBody) },
  responses: { 202: json('Cancel requested.', alertCancelledSchema), ...errors(400, 401, 403, 404, 409) },
});

export function alertRoutes(deps: AlertRoutesDeps) {
  const load = async (id: string) => {
    const alert = await deps.alerts.get(id);
    if (!alert) throw httpError('NOT_FOUND', 'no alert with this id', 'id');
    return alert;
  };

  return apiApp()
    .openapi(submit, async (c) => {
      const body = c.req.valid('json');
      const principal = principalOf(c);
      let requester: string;
      let person: Person | undefined;
      if (principal.kind === 'person') {
        person = actingPerson(c, 'requester', body.requester);
        requester = person.email;
      } else {
        // A service principal requests as itself: it names nobody else, and a person's name in the
        // body would let a token holder make anyone the requester (and so choose who may approve).
        if (body.requester !== undefined) {
          throw httpError(
            'VALIDATION',
            `requester: service principal ${principal.service.name} requests as itself; leave requester out`,
            'requester',
          );
        }
        if (body.replyTo === 'analyst') {
          throw httpError(
            'VALIDATION',
            "replyTo: a service principal has no mailbox for customers' replies; send replyTo: owner",
            'replyTo',
          );
        }
        requester = serviceAddress(principal.service.name);
      }
      const alert = await deps.alertIntake.submit({ ...body, requester }, person ? { requester: person } : {});
      c.header('location', `/api/alerts/${alert.id}`);
      return c.json(alertView(alert, deps.temporalUi), 202);
    })
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.alerts.list(q);
      const last = rows.at(-1);
      return c.json(
        {
          alerts: rows.map((a) => ({ ...alertView(a, deps.temporalUi), counts: a.counts })),
          next: rows.length === q.limit && last ? `/api/alerts?before=${last.id}&limit=${q.limit}` : null,
        },
        200,
      );
    })
    .openapi(show, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const counts = await deps.deliveries.counts(alert.id);
      return c.json({ ...alertView(alert, deps.temporalUi), counts }, 200);
    })
    .openapi(progress, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const progress = await deps.alertIntake.progress(alert.id);
      return c.json({ progress, counts: await deps.deliveries.counts(alert.id) }, 200);
    })
    .openapi(suppressed, async (c) => {
      const alert = await load(c.req.valid('param').id);
      // The reason column is text; the reasons written are the audience rules' (held to them by the contract check in tests).
      const rows = (await deps.deliveries.suppressions(alert.id, 1000)) as AlertSuppressed['suppressed'];
      return c.json({ suppressed: rows }, 200);
    })
    .openapi(audit, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const rows = await deps.approvals.auditFor(alert.id);
      return c.json(
        {
          audit: rows.map((r) => ({
            ...r,
            version: r.version ?? null,
            reason: r.reason ?? null,
            detail: r.detail ?? null,
          })),
        },
        200,
      );
    })
    .openapi(responses, async (c) => {
      const alert = await load(c.req.valid('param').id);
      return c.json({ responses: await deps.responses.forAlert(alert.id) }, 200);
    })
    .openapi(decide, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const body = c.req.valid('json');
      const person = actingPerson(c, 'approver', body.approver);
      return c.json(await deps.alertIntake.decide(alert, { ...body, approver: person.email }, 'api', person), 200);
    })
    .openapi(revise, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const body = c.req.valid('json');
      const person = actingPerson(c, 'requester', body.requester);
      return c.json(await deps.alertIntake.revise(alert, { ...body, requester: person.email }, person), 200);
    })
    .openapi(cancel, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const body = c.req.valid('json');
      const person = actingPerson(c, 'by', body.by);
      await deps.alertIntake.cancel(alert, person.email, body.reason, 'api', person);
      return c.json({ id: alert.id, cancelRequested: true as const }, 202);
    });
}
