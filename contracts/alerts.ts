import { z } from 'zod';
import {
  alertRequestSchema,
  alertRevisionSchema,
  decisionSchema,
  storedText,
} from '../domain/broadcast/alert-request.js';
import { topicScheduleSchema } from '../domain/topics.js';
import { instantSchema, statusUrlSchema } from './common.js';
import {
  ALERT_STATUSES,
  BROADCAST_PHASES,
  CHANNELS,
  DECISIONS,
  REPLY_OWNERS,
  RESPONSE_KINDS,
  SUPPRESSION_REASONS,
} from './vocabulary.js';

export const alertStatusSchema = z.enum(ALERT_STATUSES);
export const alertId = z
  .string()
  .regex(/^alr_[0-9a-z]{26}$/, { message: 'not an alert id' })
  .meta({ example: 'alr_01jd3v8z6q4m2k9x7c5b1n0p3r' });
export const alertIdParams = z.object({ id: alertId });

/** POST /api/alerts: the request as the domain validates it. */
export const alertRequestBody = alertRequestSchema.partial({ requester: true }).meta({ id: 'AlertRequest' });
/** PUT /api/alerts/{id}/revision */
export const alertRevisionBody = alertRevisionSchema.partial({ requester: true }).meta({ id: 'AlertRevision' });
/** POST /api/alerts/{id}/decision */
export const alertDecisionBody = decisionSchema.partial({ approver: true }).meta({ id: 'AlertDecision' });
/*
 * `requester`, `approver`, `by`: optional. Who acts comes from the credential (a person's sign-in
 * token); a value that names someone else is a 400 naming the field.
 */

export const alertListQuery = z
  .object({
    status: alertStatusSchema.optional(),
    requester: storedText(254, 'requester').optional(),
    topic: storedText(80, 'topic').optional(),
    /** The last id of the previous page (`next` carries it). */
    before: alertId.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const alertCancelBody = z
  .object({ by: z.email().max(254).optional(), reason: storedText(2000, 'reason').optional() })
  .strict()
  .meta({ id: 'AlertCancel' });

/** Figures of a resolved audience: what an approver sees before saying yes. */
export const audienceSummarySchema = z
  .strictObject({
    lists: z.array(z.strictObject({ id: z.string(), name: z.string(), memberships: z.int() })),
    totalMemberships: z.int(),
    uniqueContacts: z.int(),
    /** Memberships folded into another recipient: totalMemberships = uniqueContacts + duplicates. */
    duplicates: z.int(),
    /** uniqueContacts = deliveries + suppressed by policy. */
    deliveries: z.int(),
    channelMix: z.record(z.enum(CHANNELS), z.int()),
    suppressedByReason: z.record(z.enum(SUPPRESSION_REASONS), z.int()),
    delayedByQuietHours: z.int(),
    /** Channels without a working adapter: recipients who would have been reached on each, counted under their fallback. */
    unconfiguredChannels: z.partialRecord(z.enum(CHANNELS), z.int()).optional(),
    /** When it goes out: the topic's announced schedule (null: as it happens), whether urgent is allowed, deliveries per time zone. */
    timing: z
      .strictObject({
        schedule: topicScheduleSchema,
        urgentAllowed: z.boolean(),
        timeZones: z.record(z.string(), z.int()),
        /** Deliveries that wait for the contacts' daily or weekly digests (not in timeZones). */
        digests: z.strictObject({ daily: z.int(), weekly: z.int() }).optional(),
      })
      .optional(),
  })
  .meta({ id: 'AudienceSummary' });

export const deliveryCountsSchema = z
  .strictObject({
    total: z.int(),
    pending: z.int(),
    sending: z.int(),
    sent: z.int(),
    failed: z.int(),
    bounced: z.int(),
    unconfirmed: z.int(),
    cancelled: z.int(),
    /** Waiting for the contacts' daily or weekly digests (their choice in the preference centre). */
    digest: z.int().optional(),
    responded: z.int(),
    /** Of sent: the email hard-bounced (at once or by a later DSN) and the fallback channel reached the contact. */
    sentAfterBounce: z.int().optional(),
  })
  .meta({ id: 'DeliveryCounts' });

export const alertSchema = z
  .strictObject({
    id: alertId,
    status: alertStatusSchema,
    statusUrl: statusUrlSchema,
    version: z.int().min(1),
    requester: z.string(),
    title: z.string(),
    body: z.string(),
    topic: z.string(),
    lists: z.array(z.string()),
    channels: z.array(z.enum(CHANNELS)),
    replyTo: z.enum(REPLY_OWNERS),
    sendWindow: z.strictObject({ notBefore: instantSchema.optional(), notAfter: instantSchema.optional() }).nullable(),
    approverGroup: z.string(),
    /** Null while the audience is being resolved. */
    audience: audienceSummarySchema.nullable(),
    decidedBy: z.string().nullable(),
    decisionComment: z.string().nullable(),
    createdAt: instantSchema,
    approvedAt: instantSchema.nullable(),
    completedAt: instantSchema.nullable(),
    /** The alert's workflow in the Temporal Web UI, when TEMPORAL_UI_URL is configured. */
    temporalUrl: z.url().optional(),
  })
  .meta({ id: 'Alert' });

/** GET /api/alerts/{id}: the alert with its ledger's counts. */
export const alertDetailSchema = alertSchema.extend({ counts: deliveryCountsSchema }).meta({ id: 'AlertDetail' });

/** GET /api/alerts: newest first; `next` is the next page's path, null on the last page. */
export const alertListSchema = z
  .strictObject({
    /** counts: as last recorded on the alert (null until sending starts). */
    alerts: z.array(alertSchema.extend({ counts: deliveryCountsSchema.nullable() })),
    next: z.string().nullable(),
  })
  .meta({ id: 'AlertList' });

export const broadcastProgressSchema = z
  .strictObject({
    alertId,
    phase: z.enum(BROADCAST_PHASES),
    version: z.int(),
    batches: z.int(),
    batchesDone: z.int(),
    counts: deliveryCountsSchema.nullable(),
    cancelRequested: z.boolean(),
  })
  .meta({ id: 'BroadcastProgress' });

/** progress: null when the workflow does not answer (not started yet, or long finished). */
export const alertProgressSchema = z.strictObject({
  progress: broadcastProgressSchema.nullable(),
  counts: deliveryCountsSchema,
});

export const alertSuppressedSchema = z.strictObject({
  suppressed: z.array(
    z.strictObject({
      contactId: z.string(),
      listId: z.string().nullable(),
      reason: z.enum(SUPPRESSION_REASONS),
      detail: z.string().nullable(),
      email: z.string().nullable(),
      /** For a duplicate: the contact it was folded into. */
      duplicateOf: z.string().nullable(),
    }),
  ),
});

export const auditEntrySchema = z
  .strictObject({
    id: z.int(),
    alertId: z.string().nullable(),
    version: z.int().nullable(),
    actor: z.string().nullable(),
    action: z.string(),
    outcome: z.enum(['accepted', 'refused']),
    reason: z.string().nullable(),
    /** The surface: api, link, slack, outlook, workflow. */
    source: z.string(),
    detail: z.string().nullable(),
    at: instantSchema,
  })
  .meta({ id: 'AuditEntry' });
export const alertAuditSchema = z.strictObject({ audit: z.array(auditEntrySchema) });

export const customerResponseSchema = z
  .strictObject({
    id: z.int(),
    alertId,
    contactId: z.string(),
    kind: z.enum(RESPONSE_KINDS),
    dedupeKey: z.string(),
    body: z.string().nullable(),
    receivedAt: instantSchema,
    handledAt: instantSchema.nullable(),
  })
  .meta({ id: 'CustomerResponse' });
export const alertResponsesSchema = z.strictObject({ responses: z.array(customerResponseSchema) });

export const decisionResultSchema = z
  .strictObject({ decision: z.enum(DECISIONS), version: z.int(), approver: z.string() })
  .meta({ id: 'DecisionResult' });

export const alertRevisedSchema = z.strictObject({ version: z.int() });
export const alertCancelledSchema = z.strictObject({ id: alertId, cancelRequested: z.literal(true) });

export type AlertStatus = z.infer<typeof alertStatusSchema>;
export type AlertRequestBody = z.input<typeof alertRequestBody>;
export type AlertRevisionBody = z.input<typeof alertRevisionBody>;
export type AlertDecisionBody = z.input<typeof alertDecisionBody>;
export type AlertListQuery = z.input<typeof alertListQuery>;
export type AlertCancelBody = z.input<typeof alertCancelBody>;
export type AudienceSummary = z.infer<typeof audienceSummarySchema>;
export type DeliveryCounts = z.infer<typeof deliveryCountsSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type AlertDetail = z.infer<typeof alertDetailSchema>;
export type AlertList = z.infer<typeof alertListSchema>;
export type AlertProgress = z.infer<typeof alertProgressSchema>;
export type AlertSuppressed = z.infer<typeof alertSuppressedSchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type CustomerResponse = z.infer<typeof customerResponseSchema>;
export type DecisionResult = z.infer<typeof decisionResultSchema>;
export type AlertCancelled = z.infer<typeof alertCancelledSchema>;
