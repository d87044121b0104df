import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { renderMarkdown } from '../../channels/email/markdown.js';
import {
  addinDecisionBody,
  addinDecisionOutcomeSchema,
  alertIdParams,
  approvalViewSchema,
  decisionConflictSchema,
  type ApprovalView,
  type DecisionConflict,
} from '../../contracts/index.js';
import { isRequester } from '../../domain/broadcast/decision-rules.js';
import { DomainError } from '../../domain/errors.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import type { ApproverGroups } from '../../services/approver-groups.js';
import { httpError } from '../errors.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';
import type { AddinEnv, AddinUser } from './auth.js';

/** What the add-in needs of the broadcast engine: the alert store and the same decision service as /api/alerts. */
export interface AddinApprovalDeps {
  alerts: Pick<AlertStore, 'get'>;
  intake: Pick<AlertIntake, 'decide'>;
  /** APPROVER_GROUPS, judged by person id. */
  groups: ApproverGroups;
  /** The person's link to the alert's trail page (services/alert-trail.ts); absent: none. */
  trailUrl?: (alertId: string, person: string) => Promise<string>;
}

const PREVIEW_MAX = 4000;
const DECIDED: Partial<Record<AlertRow['status'], 'approve' | 'reject' | 'request_changes'>> = {
  approved: 'approve',
  dispatching: 'approve',
  following_up: 'approve',
  completed: 'approve',
  rejected: 'reject',
  changes_requested: 'request_changes',
};

type Role = 'requester' | 'approver' | null;

/** The signed-in person's part in the alert, judged by their person id (by email for a development token). */
async function roleOf(alert: AlertRow, user: AddinUser, groups: ApproverGroups): Promise<Role> {
  const email = user.email.toLowerCase();
  if (isRequester(alert, { email, id: user.personId ?? null })) return 'requester';
  const member = user.personId
    ? await groups.entryOf(alert.approverGroup, { id: user.personId, email })
    : (groups.members(alert.approverGroup) ?? []).includes(email);
  return member ? 'approver' : null;
}

/** The alert as the approval pane shows it. */
export function approvalView(
  alert: AlertRow,
  user: AddinUser,
  mine: Role,
  trailUrl: string | null = null,
): ApprovalView {
  const text = renderMarkdown(alert.body).text.trim();
  const decision = DECIDED[alert.status] ?? null;
  return {
    id: alert.id,
    status: alert.status,
    version: alert.version,
    title: alert.title,
    preview: text.length > PREVIEW_MAX ? `${text.slice(0, PREVIEW_MAX - 1)}…` : text,
    topic: alert.topic,
    requester: alert.requester,
    channels: alert.channels,
    approverGroup: alert.approverGroup,
    /** Null while the audience is being resolved. */
    audience: alert.summary,
    decision:
      decision && alert.decidedBy
        ? {
            decision,
            by: alert.decidedBy,
            reason: alert.decisionComment,
            at: decision === 'approve' ? (alert.approvedAt ?? alert.updatedAt) : alert.updatedAt,
          }
        : null,
    createdAt: alert.createdAt,
    trailUrl,
    you: {
      email: user.email,
      role: mine,
      canDecide: mine === 'approver' && alert.status === 'awaiting_approval',
    },
  };
}

/** A 409 that also says who decided, so the pane can show it. */
function conflict(message: string, alert: AlertRow | null) {
  const decided = alert ? DECIDED[alert.status] : undefined;
  const body: DecisionConflict = {
    error: { code: 'CONFLICT', message },
    ...(alert ? { status: alert.status } : {}),
    ...(alert && decided && alert.decidedBy
      ? { decision: { decision: decided, by: alert.decidedBy, reason: alert.decisionComment } }
      : {}),
  };
  if (alert?.decidedBy && decided) {
    body.error.message = `${message}: ${alert.decidedBy} already decided (${alert.status.replace('_', ' ')})`;
  }
  return new HTTPException(409, {
    res: new Response(JSON.stringify(body), { status: 409, headers: { 'content-type': 'application/json' } }),
  });
}

const tags = ['add-in'];
const security = SECURITY.addinToken;

const show = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  security,
  summary: 'An approval request, as its requester or approvers see it',
  request: { params: alertIdParams },
  responses: { 200: json('The alert.', approvalViewSchema), ...errors(400, 401, 403, 404) },
});

const decide = createRoute({
  method: 'post',
  path: '/{id}/decision',
  tags,
  security,
  summary: "Decide as the signed-in approver (don't send an approver)",
  middleware: [
    bodyLimit({
      maxSize: 16 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'request body is larger than 16 KB', '(body)');
      },
    }),
    async (c, next) => {
      const raw: unknown = await c.req.json().catch(() => undefined);
      if (raw && typeof raw === 'object' && 'approver' in raw) {
        throw httpError(
          'VALIDATION',
          'approver: the approver is the signed-in user; do not send an approver',
          'approver',
        );
      }
      await next();
    },
    otherMediaTypeAsEmpty('json', addinDecisionBody),
  ],
  request: { params: alertIdParams, body: jsonBody(addinDecisionBody) },
  responses: {
    200: json('Decided: the result and the alert as it is now.', addinDecisionOutcomeSchema),
    409: json('Decided already (says by whom), or the workflow has finished.', decisionConflictSchema),
    ...errors(400, 401, 403, 404, 410),
  },
});

/**
 * /api/addin/alerts: an approval request opened in Outlook. Reading needs the requester or a
 * member of the alert's approver group; deciding goes through the same Temporal Update as
 * POST /api/alerts/:id/decision (four eyes, group, state, once), with the approver taken from
 * the verified add-in token.
 */
export function addinApprovalRoutes(deps: AddinApprovalDeps) {
  const load = async (id: string) => {
    const alert = await deps.alerts.get(id);
    if (!alert) throw httpError('NOT_FOUND', 'no alert with this id', 'id');
    return alert;
  };

  const trailOf = async (alertId: string, user: AddinUser) =>
    deps.trailUrl ? deps.trailUrl(alertId, user.email) : null;

  return apiApp<AddinEnv>()
    .openapi(show, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const user = c.get('addinUser');
      const mine = await roleOf(alert, user, deps.groups);
      if (!mine) throw httpError('FORBIDDEN', `${user.email} is not in this alert's approver group`);
      return c.json(approvalView(alert, user, mine, await trailOf(alert.id, user)), 200);
    })
    .openapi(decide, async (c) => {
      const alert = await load(c.req.valid('param').id);
      const user = c.get('addinUser');
      const body = c.req.valid('json');
      try {
        const result = await deps.intake.decide(
          alert,
          // The approver comes from the verified token, never from the request body.
          {
            approver: user.email,
            decision: body.decision,
            reason: body.reason?.trim() || undefined,
            version: body.version,
            ...(body.urgent ? { urgent: true } : {}),
          },
          'outlook',
          user.personId ? { id: user.personId, email: user.email } : undefined,
        );
        const fresh = (await deps.alerts.get(alert.id)) ?? alert;
        const mine = await roleOf(fresh, user, deps.groups);
        return c.json({ result, alert: approvalView(fresh, user, mine, await trailOf(alert.id, user)) }, 200);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'CONFLICT' && error.field !== 'version') {
          throw conflict(error.message, await deps.alerts.get(alert.id));
        }
        throw error;
      }
    });
}
