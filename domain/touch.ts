import { z } from 'zod';
import { controlProblem, text } from './text.js';
import {
  TOUCH_CHANNEL_LABELS,
  touchChannelSchema,
  type EngagementKind,
  type TouchChannel,
} from './vocabulary/index.js';

/** Limits chosen to stay well inside HubSpot's (note body <= 65,536 characters). */
export const TOUCH_LIMITS = {
  summary: 10_000,
  outcome: 500,
  answer: 1_000,
  answers: 10,
  idempotencyKey: 200,
} as const;

/** Trimmed, not empty, bounded, no control characters (the text rule of domain/text.ts). */
const trimmed = (max: number, name: string) => text(name, { max, min: 1 });

export const touchContactSchema = z
  .object({
    email: z.email({ message: 'contact.email must be an email address' }).max(254).optional(),
    crmId: z
      .string()
      .regex(/^\d{1,20}$/, { message: 'contact.crmId must be a CRM record id (digits)' })
      .optional(),
  })
  .strict()
  .refine((c) => (c.email === undefined) !== (c.crmId === undefined), {
    message: 'give exactly one of contact.email or contact.crmId',
  });

export const touchInputSchema = z
  .object({
    contact: touchContactSchema,
    channel: touchChannelSchema,
    summary: trimmed(TOUCH_LIMITS.summary, 'summary'),
    outcome: trimmed(TOUCH_LIMITS.outcome, 'outcome').optional(),
    /** When the touch happened; defaults to when it was received. */
    occurredAt: z.iso
      .datetime({ offset: true, message: 'occurredAt must be an ISO 8601 date-time, e.g. 2026-11-24T15:04:00Z' })
      .optional(),
    loggedBy: trimmed(254, 'loggedBy'),
    answers: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, { message: 'answer keys are question ids' }),
        trimmed(TOUCH_LIMITS.answer, 'answer'),
      )
      .refine((a) => Object.keys(a).length <= TOUCH_LIMITS.answers, {
        message: `at most ${TOUCH_LIMITS.answers} answers`,
      })
      .optional(),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9._:@-]{1,200}$/, {
        message: 'idempotencyKey must be 1-200 characters of letters, digits and . _ : @ -',
      })
      .optional(),
    source: z.enum(['api', 'slack', 'outlook']).default('api'),
    // zod keeps the URL as sent, and a URL parser forgives a NUL: the text rule applies to it too.
    sourceUrl: z
      .url({ message: 'sourceUrl must be a URL' })
      .max(2000)
      .superRefine((v, ctx) => {
        const problem = controlProblem(v, 'sourceUrl');
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  })
  .strict();

export type TouchInput = z.infer<typeof touchInputSchema>;

/** CRM engagement kind for each touch channel; chat, visit and other become notes. */
export function engagementKindFor(channel: TouchChannel): EngagementKind {
  switch (channel) {
    case 'call':
      return 'call';
    case 'email':
      return 'email';
    case 'meeting':
      return 'meeting';
    default:
      return 'note';
  }
}

export interface StoredTouch {
  id: string;
  channel: TouchChannel;
  summary: string;
  outcome: string | null;
  occurredAt: string;
  loggedBy: string;
  source: string;
  sourceUrl: string | null;
}

/** Title and plain-text body of the CRM engagement for a touch; pure, so retries write the same thing. */
export function engagementContent(touch: StoredTouch): { title: string; body: string } {
  const lines = [touch.summary];
  if (touch.outcome) lines.push('', `Outcome: ${touch.outcome}`);
  lines.push('', `Logged by ${touch.loggedBy} via Rapport (${touch.source})`);
  if (touch.sourceUrl) lines.push(`Source: ${touch.sourceUrl}`);
  const firstLine = touch.summary.split('\n', 1)[0] ?? '';
  // "Other: ..." reads oddly on a CRM timeline: a touch of no named channel is just a touch.
  const label = touch.channel === 'other' ? 'Touch' : TOUCH_CHANNEL_LABELS[touch.channel];
  const title = `${label}: ${firstLine.length > 80 ? `${firstLine.slice(0, 77)}...` : firstLine}`;
  return { title, body: lines.join('\n') };
}
