import { z } from 'zod';

/** What a customer's response to an alert was; a bounce is the mail system's answer, recorded the same way. */
export const RESPONSE_KINDS = ['interested', 'call-me', 'not-now', 'unsubscribe', 'reply', 'bounce'] as const;
export const responseKindSchema = z.enum(RESPONSE_KINDS, { message: 'unknown response kind' });
export type ResponseKind = z.infer<typeof responseKindSchema>;

/**
 * The answers a customer gives with one click, in the order offered: the email's action links,
 * the Slack DM's buttons and the answer page behind the SMS link (`a=` of `/r/{token}`).
 */
export const CUSTOMER_ANSWERS = [
  'interested',
  'call-me',
  'not-now',
  'unsubscribe',
] as const satisfies readonly ResponseKind[];
export const customerAnswerSchema = z.enum(CUSTOMER_ANSWERS, { message: 'unknown action' });
export type CustomerAnswer = z.infer<typeof customerAnswerSchema>;

/** How a response is named: on the answer buttons and links, and on the CRM timeline. */
export const RESPONSE_KIND_LABELS: Readonly<Record<ResponseKind, string>> = {
  interested: 'Interested',
  'call-me': 'Call me',
  'not-now': 'Not now',
  unsubscribe: 'Unsubscribe',
  reply: 'Replied',
  bounce: 'Bounced',
};

/** A bounce comes from the mail system, not the customer: it marks no delivery answered and counts as no response. */
export const countsAsResponse = (kind: ResponseKind): boolean => kind !== 'bounce';
