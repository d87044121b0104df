import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import {
  alertRequestSchema,
  alertRevisionSchema,
  decisionSchema,
  storedText,
} from '../../domain/broadcast/alert-request.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { ApprovalStore } from '../../store/approvals.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import { validate } from '../validate.js';

export interface AlertRoutesDeps {
  alertIntake: AlertIntake;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  approvals: ApprovalStore;
  responses: ResponseStore;
}

const STATUSES = [
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'rejected',
  'expired',
  'approved',
  'dispatching',
  'following_up',
  'completed',
  'cancelled',
  'failed',
] as const;

const idParam = z.object({ id: z.string().regex(/^alr_[0-9a-z]{26}$/, { message: 'not an alert id' }) });
const listQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    requester: storedText(254, 'requester').optional(),
    topic: storedText(80, 'topic').optional(),
    before: idParam.shape.id.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
const cancelBody = z.object({ by: z.email().max(254), reason: storedText(2000, 'reason').optional() }).strict();

const limit = (kb: number) =>
  bodyLimit({
    maxSize: kb * 1024,
    onError: () => {
      throw httpError('VALIDATION', `request body is larger than ${kb} KB`, '(body)');
    },
  });

export function alertView(alert: AlertRow) {
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
    sendWindow: alert.sendWindow,
    approverGroup: alert.approverGroup,
    audience: alert.summary,
    decidedBy: alert.decidedBy,
    decisionComment: alert.decisionComment,
    createdAt: alert.createdAt,
    approvedAt: alert.approvedAt,
    completedAt: alert.completedAt,
  };
}

export function alertRoutes(deps: AlertRoutesDeps) {
  const load = async (id: string) => {
    const alert = await deps.alerts.get(id);
    if (!alert) throw httpError('NOT_FOUND', 'no alert with this id', 'id');
    return alert;
  };

  return new Hono<AppEnv>()
    .post('/', limit(64), validate('json', alertRequestSchema), async (c) => {
      const alert = await deps.alertIntake.submit(c.req.valid('json'));
      c.header('location', `/api/alerts/${alert.id}`);
      return c.json(alertView(alert), 202);
    })
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.alerts.list(q);
      const last = rows.at(-1);
      return c.json({
        alerts: rows.map((a) => ({ ...alertView(a), counts: a.counts })),
        next: rows.length === q.limit && last ? `/api/alerts?before=${last.id}&limit=${q.limit}` : null,
      });
    })
    .get('/:id', validate('param', idParam), async (c) => {
      const alert = await load(c.req.valid('param').id);
      const counts = await deps.deliveries.counts(alert.id);
      return c.json({ ...alertView(alert), counts });
    })
    .get('/:id/progress', validate('param', idParam), async (c) => {
      const alert = await load(c.req.valid('param').id);
      const progress = await deps.alertIntake.progress(alert.id);
      return c.json({ progress, counts: await deps.deliveries.counts(alert.id) });
    })
    .get('/:id/suppressed', validate('param', idParam), async (c) => {
      const alert = await load(c.req.valid('param').id);
      return c.json({ suppressed: await deps.deliveries.suppressions(alert.id, 1000) });
    })
    .get('/:id/audit', validate('param', idParam), async (c) => {
      const alert = await load(c.req.valid('param').id);
      return c.json({ audit: await deps.approvals.auditFor(alert.id) });
    })
    .get('/:id/responses', validate('param', idParam), async (c) => {
      const alert = await load(c.req.valid('param').id);
      return c.json({ responses: await deps.responses.forAlert(alert.id) });
    })
    .post('/:id/decision', limit(16), validate('param', idParam), validate('json', decisionSchema), async (c) => {
      const alert = await load(c.req.valid('param').id);
      const result = await deps.alertIntake.decide(alert, c.req.valid('json'), 'api');
      return c.json(result);
    })
    .put('/:id/revision', limit(64), validate('param', idParam), validate('json', alertRevisionSchema), async (c) => {
      const alert = await load(c.req.valid('param').id);
      return c.json(await deps.alertIntake.revise(alert, c.req.valid('json')));
    })
    .post('/:id/cancel', limit(8), validate('param', idParam), validate('json', cancelBody), async (c) => {
      const alert = await load(c.req.valid('param').id);
      const { by, reason } = c.req.valid('json');
      await deps.alertIntake.cancel(alert, by, reason);
      return c.json({ id: alert.id, cancelRequested: true }, 202);
    });
}
