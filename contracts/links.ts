import { z } from 'zod';
import { DECISIONS, CUSTOMER_ACTIONS } from './vocabulary.js';
import { storedText } from '../domain/broadcast/alert-request.js';

/**
 * Pages behind the signed links Rapport sends (approval emails, customers' answer links,
 * one-click unsubscribe). The token in the path is the credential; the answers are HTML.
 */

// Long enough that an over-long forgery still reaches the signature check, and is refused and counted like any other.
export const approvalTokenParams = z.object({ token: z.string().min(1).max(512) });

/** The confirmation page's form. */
export const approvalForm = z
  .object({
    decision: z.enum(DECISIONS),
    reason: storedText(2000, 'reason').optional(),
    /** The page's "send now (urgent)" box, offered when the alert's topic allows it. */
    urgent: z.enum(['on', 'true'], { message: 'urgent must be on or absent' }).optional(),
  })
  .meta({ id: 'ApprovalForm' });

export const customerTokenParams = z.object({ token: z.string().min(1).max(100) });

/** Without `a`: the page offering every answer (the SMS link, which has room for one URL only). */
export const customerActionQuery = z.object({
  a: z.enum(CUSTOMER_ACTIONS, { message: 'unknown action' }).optional(),
});
export const customerActionForm = z
  .object({ a: z.enum(CUSTOMER_ACTIONS, { message: 'unknown action' }) })
  .meta({ id: 'CustomerActionForm' });

/** RFC 8058: what mailbox providers POST for a one-click unsubscribe (not checked: any POST unsubscribes). */
export const oneClickUnsubscribeForm = z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() });

export type ApprovalForm = z.input<typeof approvalForm>;
export type CustomerActionForm = z.input<typeof customerActionForm>;

/**
 * The preference centre's form (POST /p): the signed per-contact token travels in the form, not
 * the path, and the page sets no cookie. Per topic `topic.<id>.enabled` (on/off), `.channel`,
 * `.delivery`; `timeZone`, `quietStart`, `quietEnd`, `capMax`, `capWindow`, `unsubscribeAll`
 * (domain/preferences.ts FORM_FIELDS). `action=revoke` stops every link to the page instead.
 */
export const preferencesForm = z
  .object({
    token: z.string({ message: 'token is missing' }).min(1).max(100),
    action: z.enum(['save', 'revoke'], { message: 'action must be save or revoke' }).default('save'),
  })
  .catchall(z.string().max(100))
  .meta({ id: 'PreferencesForm' });
export type PreferencesForm = z.input<typeof preferencesForm>;
