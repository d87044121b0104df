import type { Channel } from '../vocabulary/index.js';
import { AUDIENCE_PROPERTIES, type AudienceContact, type Recipient } from './types.js';

// Pragmatic rather than RFC 5322-complete: it must reject what mail servers reject (spaces, no
// domain, double dots) without refusing real addresses such as first.last+tag@sub.example.co.uk
// or internationalised domains.
const EMAIL =
  /^(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\\\]]{1,64}(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}

const PHONE_SEPARATORS = /[\s\-().\u00a0]/g;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * E.164 form of a phone number, or null. Numbers without a country code are refused rather
 * than guessed: an SMS to the wrong country is worse than no SMS.
 */
export function toE164(phone: string | null | undefined): string | null {
  if (!phone) return null;
  let p = phone.replace(PHONE_SEPARATORS, '');
  if (p.startsWith('00')) p = `+${p.slice(2)}`;
  return E164.test(p) ? p : null;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{5,20}$/;

export function isSlackUserId(value: string | null | undefined): value is string {
  return typeof value === 'string' && SLACK_USER_ID.test(value.trim());
}

/** HubSpot booleans arrive as the strings 'true' / 'false'. */
export function isTrue(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'true';
}

function prop(contact: AudienceContact, name: string): string | null {
  return Object.hasOwn(contact.properties, name) ? (contact.properties[name] ?? null) : null;
}

/** All CRM records behind one recipient: opt-outs on any of them bind the person. */
function records(recipient: Recipient): AudienceContact[] {
  return [recipient.contact, ...recipient.mergedContacts];
}

export function isUnsubscribedFromAll(recipient: Recipient): boolean {
  return records(recipient).some((c) => isTrue(prop(c, AUDIENCE_PROPERTIES.unsubscribedAll)));
}

export function isOptedOutOfEmail(recipient: Recipient): boolean {
  return records(recipient).some((c) => isTrue(prop(c, AUDIENCE_PROPERTIES.emailOptOut)));
}

/** A text only to someone who chose SMS or consented to texts: refusing email is no consent to be texted. */
export function hasSmsConsent(recipient: Recipient): boolean {
  return isTrue(prop(recipient.contact, AUDIENCE_PROPERTIES.smsConsent));
}

export type AddressProblem = 'opted-out' | 'unsubscribed' | 'invalid' | 'missing';

export type ChannelAddress = { ok: true; address: string } | { ok: false; problem: AddressProblem; detail: string };

/**
 * Where a recipient can be reached on one channel, or why not. `emailRefusal`: why the CRM's
 * subscription preferences refuse this alert's email (subscriptions.ts), when they do.
 */
export function addressFor(recipient: Recipient, channel: Channel, emailRefusal?: string | null): ChannelAddress {
  const c = recipient.contact;
  switch (channel) {
    case 'email': {
      if (isOptedOutOfEmail(recipient)) return { ok: false, problem: 'opted-out', detail: 'opted out of email' };
      if (emailRefusal) return { ok: false, problem: 'unsubscribed', detail: emailRefusal };
      const email = recipient.email;
      if (email === null) return { ok: false, problem: 'missing', detail: 'no email address' };
      if (!isValidEmail(email))
        return { ok: false, problem: 'invalid', detail: `email "${email}" is not a valid address` };
      if (isTrue(prop(c, AUDIENCE_PROPERTIES.emailInvalid))) {
        return { ok: false, problem: 'invalid', detail: `email "${email}" is flagged as bouncing` };
      }
      return { ok: true, address: email };
    }
    case 'slack': {
      const id = prop(c, AUDIENCE_PROPERTIES.slackUserId);
      if (!id?.trim()) return { ok: false, problem: 'missing', detail: 'no Slack user id' };
      if (!isSlackUserId(id)) return { ok: false, problem: 'invalid', detail: `"${id}" is not a Slack user id` };
      return { ok: true, address: id.trim() };
    }
    case 'sms': {
      // A mobile number first: texts to a landline are silently lost.
      const raw = [prop(c, AUDIENCE_PROPERTIES.mobilePhone), prop(c, AUDIENCE_PROPERTIES.phone)].filter(
        (p): p is string => !!p?.trim(),
      );
      if (raw.length === 0) return { ok: false, problem: 'missing', detail: 'no phone number' };
      for (const p of raw) {
        const e164 = toE164(p);
        if (e164) return { ok: true, address: e164 };
      }
      return { ok: false, problem: 'invalid', detail: 'no phone number in international (E.164) form' };
    }
  }
}
