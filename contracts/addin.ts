import { z } from 'zod';
import { text } from '../domain/text.js';
import { TOUCH_LIMITS } from '../domain/touch.js';
import { alertId, alertStatusSchema, audienceSummarySchema, decisionResultSchema } from './alerts.js';
import { instantSchema } from './common.js';
import { errorBodySchema } from './errors.js';
import { CHANNELS, DECISIONS, TOUCH_CHANNELS } from './vocabulary.js';

/** GET /addin/config.json: what the task pane needs to sign in. */
export const addinConfigSchema = z
  .strictObject({
    auth: z.enum(['entra', 'dev', 'none']),
    clientId: z.string().nullable(),
    tenantId: z.string().nullable(),
    /** Scope the pane asks MSAL for. */
    scopes: z.array(z.string()),
    internalDomains: z.array(z.string()),
    /** Shown in a red banner when auth is 'dev'. */
    devUser: z.string().nullable(),
  })
  .meta({ id: 'AddinConfig' });

/** The signed-in user, taken from the verified add-in token only. */
export const addinUserSchema = z
  .strictObject({
    email: z.string(),
    name: z.string().nullable(),
    /** Entra object id (stable across renames); null for development tokens. */
    objectId: z.string().nullable(),
    tenantId: z.string().nullable(),
    /** True for the local development token (ADDIN_DEV_AUTH). */
    dev: z.boolean(),
  })
  .meta({ id: 'AddinUser' });
export const addinMeSchema = z.strictObject({ user: addinUserSchema });

/** POST /api/addin/dev-token (development only). */
export const devTokenSchema = z.strictObject({ token: z.string(), user: z.string(), development: z.literal(true) });

/** POST /api/addin/touches: no `loggedBy`, the user comes from the token. */
export const addinTouchBody = z
  .object({
    contactEmail: z.email({ message: 'contactEmail must be an email address' }).max(254),
    channel: z.enum(TOUCH_CHANNELS).default('email'),
    summary: text('summary', { max: TOUCH_LIMITS.summary, min: 1 }),
    outcome: text('outcome', { max: TOUCH_LIMITS.outcome, min: 1 }).optional(),
    occurredAt: z.iso.datetime({ offset: true, message: 'occurredAt must be an ISO 8601 date-time' }).optional(),
    answers: z.record(z.string().max(64), text('answer', { max: TOUCH_LIMITS.answer })).optional(),
    /** The email's Internet-Message-ID: logging the same email twice is one touch. */
    messageId: text('messageId', { max: 998, min: 1 }).optional(),
  })
  .strict()
  .meta({ id: 'AddinTouchInput' });

/** POST /api/addin/alerts/{id}/decision: no `approver`, the approver is the signed-in user. */
export const addinDecisionBody = z
  .object({
    decision: z.enum(DECISIONS, { message: 'decision must be approve, reject or request_changes' }),
    reason: text('reason', { max: 2000 }).optional(),
    /** The version the approver saw; a decision on an outdated version is refused. */
    version: z.number().int().min(1).optional(),
    /** Approve and send now, not at the topic's announced time (only where the topic allows it). */
    urgent: z.boolean({ message: 'urgent must be true or false' }).optional(),
  })
  .strict()
  .meta({ id: 'AddinDecision' });

const decided = { decision: z.enum(DECISIONS), by: z.string(), reason: z.string().nullable() };

/** GET /api/addin/alerts/{id}: an approval request as the pane shows it. */
export const approvalViewSchema = z
  .strictObject({
    id: alertId,
    status: alertStatusSchema,
    version: z.int(),
    title: z.string(),
    /** Plain text of the alert body, shortened. */
    preview: z.string(),
    topic: z.string(),
    requester: z.string(),
    channels: z.array(z.enum(CHANNELS)),
    approverGroup: z.string(),
    /** Null while the audience is being resolved. */
    audience: audienceSummarySchema.nullable(),
    /** Who decided, once someone has. */
    decision: z.strictObject({ ...decided, at: instantSchema }).nullable(),
    createdAt: instantSchema,
    /** The signed-in person's link to the alert's trail page; null where the server keeps no trail. */
    trailUrl: z.string().nullable(),
    you: z.strictObject({
      email: z.string(),
      role: z.enum(['requester', 'approver']).nullable(),
      canDecide: z.boolean(),
    }),
  })
  .meta({ id: 'ApprovalView' });

export const addinDecisionOutcomeSchema = z
  .strictObject({ result: decisionResultSchema, alert: approvalViewSchema })
  .meta({ id: 'AddinDecisionOutcome' });

/** 409 to a decision: who decided already, so the pane can show it. */
export const decisionConflictSchema = errorBodySchema
  .extend({ status: alertStatusSchema.optional(), decision: z.strictObject(decided).optional() })
  .meta({ id: 'DecisionConflict' });

export type AddinConfig = z.infer<typeof addinConfigSchema>;
export type AddinUser = z.infer<typeof addinUserSchema>;
export type AddinMe = z.infer<typeof addinMeSchema>;
export type DevToken = z.infer<typeof devTokenSchema>;
export type AddinTouchBody = z.input<typeof addinTouchBody>;
export type AddinDecisionBody = z.input<typeof addinDecisionBody>;
export type ApprovalView = z.infer<typeof approvalViewSchema>;
export type AddinDecisionOutcome = z.infer<typeof addinDecisionOutcomeSchema>;
export type DecisionConflict = z.infer<typeof decisionConflictSchema>;
