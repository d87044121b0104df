import { z } from 'zod';
import { text } from '../text.js';
import { topicIdSchema } from '../topics.js';
import { channelSchema } from '../vocabulary/index.js';

/** One header line: CR, LF and other control characters become spaces, so a title can never smuggle a header. */
export function singleLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
      .replace(/\s{2,}/g, ' ')
      .trim()
  );
}

/**
 * Free text that is stored as it was sent (not trimmed): the text rule of domain/text.ts, so a
 * NUL or another control character is refused at the edge with the field named, instead of
 * failing the store write behind it (a 500, or an activity retrying a write that can never succeed).
 */
export function storedText(max: number, name: string) {
  return text(name, { max, trim: false });
}

const email = z
  .email({ message: 'expected an email address' })
  .max(254)
  .transform((v) => v.trim().toLowerCase());
const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with offset' });

export const REPLY_OWNERS = ['analyst', 'owner'] as const;

/** How far ahead a send window may open: an alert is news, not a reminder for next year. */
const MAX_SEND_DELAY_MS = 366 * 86_400_000;

/** POST /api/alerts. Title and body are untrusted text: the email renderer escapes them (markdown subset only). */
export const alertRequestSchema = z
  .object({
    requester: email,
    // Line breaks fold into spaces (a title is one line); other control characters are refused.
    title: storedText(200, 'title')
      .transform(singleLine)
      .pipe(z.string().min(1, { message: 'title must not be empty' })),
    body: storedText(20_000, 'body').refine((b) => b.trim().length > 0, { message: 'body must not be empty' }),
    /** A topic of the catalogue (domain/topics.ts); the intake refuses one the catalogue lacks. */
    topic: topicIdSchema,
    lists: z
      .array(z.string().regex(/^\d{1,18}$/, { message: 'list ids are CRM list ids (digits)' }))
      .min(1, { message: 'name at least one list' })
      .max(50, { message: 'at most 50 lists' })
      .transform((ids) => [...new Set(ids)]),
    channels: z
      .array(channelSchema)
      .min(1, { message: 'allow at least one channel' })
      .refine((a) => new Set(a).size === a.length, { message: 'channels must not repeat' })
      // Unset: the topic's default channels (the intake fills them in).
      .optional(),
    /** Who receives replies: the requesting analyst, or each contact's account owner. */
    replyTo: z.enum(REPLY_OWNERS, { message: 'replyTo must be analyst or owner' }).default('analyst'),
    sendWindow: z
      .object({ notBefore: isoTime.optional(), notAfter: isoTime.optional() })
      .strict()
      .refine((w) => !w.notBefore || !w.notAfter || Date.parse(w.notBefore) < Date.parse(w.notAfter), {
        message: 'notBefore must be before notAfter',
        path: ['notAfter'],
      })
      .refine((w) => !w.notAfter || Date.parse(w.notAfter) > Date.now(), {
        message: 'notAfter has already passed',
        path: ['notAfter'],
      })
      .refine((w) => !w.notBefore || Date.parse(w.notBefore) <= Date.now() + MAX_SEND_DELAY_MS, {
        message: 'notBefore must be within a year',
        path: ['notBefore'],
      })
      .optional(),
    approverGroup: text('approverGroup', { max: 100, min: 1 }).default('alerts'),
  })
  .strict();

export type AlertRequest = z.output<typeof alertRequestSchema>;
export type AlertRequestInput = z.input<typeof alertRequestSchema>;

/** PUT /api/alerts/:id/revision: the requester's answer to "request changes". */
export const alertRevisionSchema = z
  .object({
    requester: email,
    title: alertRequestSchema.shape.title,
    body: alertRequestSchema.shape.body,
    comment: storedText(2000, 'comment').optional(),
  })
  .strict();
export type AlertRevision = z.output<typeof alertRevisionSchema>;

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export const decisionSchema = z
  .object({
    approver: email,
    decision: z.enum(DECISIONS, { message: 'decision must be approve, reject or request_changes' }),
    reason: storedText(2000, 'reason').optional(),
    /** The version the approver saw; a decision on an outdated version is refused. */
    version: z.number().int().min(1).optional(),
    /**
     * Approve and send at once instead of at the topic's next announced slot; only on topics that
     * allow it (the workflow's validator refuses it otherwise, naming the field).
     */
    urgent: z.boolean({ message: 'urgent must be true or false' }).optional(),
  })
  .strict();
export type DecisionInput = z.output<typeof decisionSchema>;
