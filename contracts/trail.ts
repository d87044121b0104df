import { z } from 'zod';
import { TRAIL_STEPS } from '../domain/broadcast/trail.js';
import { instantSchema } from './common.js';

/** GET /api/alerts/{id}/trail: one page of the trail, oldest first. */
export const trailQuery = z
  .object({
    /** The previous page's `next.cursor`. */
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const trailEntrySchema = z
  .strictObject({
    at: instantSchema,
    step: z.enum(TRAIL_STEPS),
    actor: z.string(),
    version: z.int().nullable(),
    contactId: z.string().nullable(),
    channel: z.string().nullable(),
    outcome: z.string().nullable(),
    attempts: z.int().nullable(),
    fallback: z.string().nullable(),
    crmId: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .meta({ id: 'TrailEntry' });

export const trailSchema = z
  .strictObject({
    alertId: z.string(),
    entries: z.array(trailEntrySchema),
    /** The next page, null on the last. */
    next: z.strictObject({ cursor: z.string(), url: z.string().startsWith('/') }).nullable(),
    /** Rows a dead worker left unconfirmed: what a resend would send to. */
    unconfirmed: z.int().min(0),
    /** The trail page for the caller (a person): a link they can open in a browser; null for a service. */
    pageUrl: z.string().nullable(),
  })
  .meta({ id: 'Trail' });

/** POST /api/alerts/{id}/trail/resend */
export const trailResendBody = z
  .object({
    /** Must be true: some of the unconfirmed customers may already have the message. */
    confirm: z.boolean().optional(),
    /** One per click: a retried request with the same key resends nothing more. */
    key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, { message: 'key: 8-64 letters, digits, - or _' })
      .optional(),
  })
  .strict()
  .meta({ id: 'TrailResend' });

export const trailResendSchema = z
  .strictObject({
    alertId: z.string(),
    resendId: z.string(),
    /** Rows this resend sends again. */
    rows: z.int().min(0),
    message: z.string(),
  })
  .meta({ id: 'TrailResendAccepted' });

export type Trail = z.infer<typeof trailSchema>;
export type TrailResendBody = z.infer<typeof trailResendBody>;
