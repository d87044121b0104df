import { z } from 'zod';
import { toE164 } from '../domain/audience/addresses.js';
import { text, withoutControls } from '../domain/text.js';
import { alertId } from './alerts.js';

/** POST /api/inbound/email: the provider may pass the envelope recipient, which beats whatever the headers say. */
export const inboundEmailQuery = z.object({ rcpt: text('rcpt', { max: 320 }).optional() });

/** 202 either way: a message nobody can match is accepted, so the provider does not retry it. */
export const inboundEmailResultSchema = z
  .discriminatedUnion('matched', [
    z.strictObject({
      matched: z.literal(true),
      kind: z.enum(['reply', 'bounce']),
      alertId,
      responseId: z.int(),
      /** The same message (Message-ID) was recorded before. */
      duplicate: z.boolean(),
    }),
    z.strictObject({
      matched: z.literal(false),
      /** Why nothing was matched, when it is not just that no address carried a token (e.g. unparseable MIME). */
      reason: z.string().optional(),
    }),
  ])
  .meta({ id: 'InboundEmailResult' });

/** Twilio's incoming-message webhook (form-encoded); read only after the signature matches. */
export const smsInboundForm = z.object({
  From: z.string().refine((v) => toE164(v) === v, { message: 'expected an E.164 number' }),
  To: z.string().min(1).max(32),
  /** What the customer typed: control characters are dropped, not refused (nobody could fix the text). */
  Body: z.string().max(1600).transform(withoutControls),
  MessageSid: z.string().regex(/^[SM]M[0-9a-f]{32}$/i, { message: 'expected a message sid' }),
});

export type InboundEmailResult = z.infer<typeof inboundEmailResultSchema>;
