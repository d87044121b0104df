import { z } from 'zod';
import { touchInputSchema } from '../domain/touch.js';
import { instantSchema, statusUrlSchema } from './common.js';
import { ENGAGEMENT_KINDS, TOUCH_CHANNELS, TOUCH_STATUSES } from './vocabulary.js';

export const touchStatusSchema = z.enum(TOUCH_STATUSES);
export const touchId = z
  .string()
  .regex(/^tch_[0-9a-z]{26,32}$/, { message: 'not a touch id' })
  .meta({ example: 'tch_01jd3v8z6q4m2k9x7c5b1n0p3r' });
export const touchIdParams = z.object({ id: touchId });

/** POST /api/touches: the touch as the domain validates it. */
/** `loggedBy` optional: a person's is their own (from the token); a service principal names who talked to the customer. */
export const touchInputBody = touchInputSchema.partial({ loggedBy: true }).meta({ id: 'TouchInput' });

/** What API clients see of a touch; never the internal request hash. */
export const touchSchema = z
  .strictObject({
    id: touchId,
    status: touchStatusSchema,
    statusUrl: statusUrlSchema,
    contact: z.strictObject({ email: z.string().nullable(), crmId: z.string().nullable() }),
    channel: z.enum(TOUCH_CHANNELS),
    occurredAt: instantSchema,
    /** The CRM engagement, once written. */
    engagement: z.strictObject({ id: z.string(), kind: z.enum(ENGAGEMENT_KINDS) }).nullable(),
    attempts: z.int(),
    /** The last CRM error while pending (it is being retried). */
    lastError: z.string().nullable(),
    /** Why it failed for good. */
    reason: z.string().nullable(),
    createdAt: instantSchema,
    syncedAt: instantSchema.nullable(),
  })
  .meta({ id: 'Touch' });

/** 202 to POST /api/touches: `duplicate` when the idempotency key named a touch already logged. */
export const touchAcceptedSchema = touchSchema.extend({ duplicate: z.boolean() }).meta({ id: 'TouchAccepted' });

export type TouchStatus = z.infer<typeof touchStatusSchema>;
export type TouchInputBody = z.input<typeof touchInputBody>;
export type Touch = z.infer<typeof touchSchema>;
export type TouchAccepted = z.infer<typeof touchAcceptedSchema>;
