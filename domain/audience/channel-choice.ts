import { addressFor, hasSmsConsent, type ChannelAddress } from './addresses.js';
import { isChannel, type Channel } from '../vocabulary/index.js';
import { AUDIENCE_PROPERTIES, type Recipient } from './types.js';

export type ChannelChoice =
  | {
      ok: true;
      channel: Channel;
      address: string;
      fallbackChannel: Channel | null;
      fallbackAddress: string | null;
    }
  | {
      ok: false;
      reason: 'OPTED_OUT' | 'UNSUBSCRIBED' | 'NO_SMS_CONSENT' | 'INVALID_EMAIL' | 'NO_USABLE_ADDRESS';
      detail: string;
    };

/** The contact's own choice, if it names a channel we know; anything else counts as no preference. */
export function preferredChannel(recipient: Recipient): Channel | null {
  const raw = recipient.contact.properties[AUDIENCE_PROPERTIES.preferredChannel];
  const value = raw?.trim().toLowerCase();
  // A Set lookup, not the zod schema: a failed safeParse builds an error object, per recipient.
  return value !== undefined && isChannel(value) ? value : null;
}

/**
 * Channels to try, best first: the preferred one (when the alert allows it), then the
 * configured fallback order. Channels outside the alert's allowed set never appear, and a
 * channel missing from the fallback order is used only when the contact prefers it.
 */
export function candidateChannels(
  preferred: Channel | null,
  allowed: readonly Channel[],
  fallbackOrder: readonly Channel[],
): Channel[] {
  const out: Channel[] = [];
  if (preferred !== null && allowed.includes(preferred)) out.push(preferred);
  for (const ch of fallbackOrder) if (allowed.includes(ch) && !out.includes(ch)) out.push(ch);
  return out;
}

/**
 * Picks the channel and its fallback. An email refusal (opted out, or the CRM's subscription says
 * no) never moves a person to SMS by itself: when the alert would have emailed them, a text goes
 * only to someone who chose SMS (preferred channel, or SMS for this topic) or consented to texts (`rapport_sms_consent`).
 * Channels without a working adapter (`working`, default all) are passed over for the next usable
 * one, so the ledger and the approvers' preview show where a message will really go.
 */
export function chooseChannel(
  recipient: Recipient,
  allowed: readonly Channel[],
  fallbackOrder: readonly Channel[],
  /** Why the CRM's subscription preferences refuse this alert's email, when they do. */
  emailRefusal?: string | null,
  working?: readonly Channel[],
  /** The channel the contact chose for this alert's topic in the preference centre; it wins over the CRM's preferred one. */
  topicChannel?: Channel | null,
): ChannelChoice & { passedOver?: Channel } {
  const preferred = topicChannel ?? preferredChannel(recipient);
  const candidates = candidateChannels(preferred, allowed, fallbackOrder);
  const usable: { channel: Channel; address: string }[] = [];
  const problems = new Map<Channel, Extract<ChannelAddress, { ok: false }>>();
  for (const channel of candidates) {
    const a = addressFor(recipient, channel, emailRefusal);
    if (a.ok) usable.push({ channel, address: a.address });
    else problems.set(channel, a);
  }
  const emailRefused = problems.get('email');
  if (
    (emailRefused?.problem === 'opted-out' || emailRefused?.problem === 'unsubscribed') &&
    preferred !== 'sms' &&
    !hasSmsConsent(recipient)
  ) {
    const sms = usable.findIndex((u) => u.channel === 'sms');
    if (sms >= 0) {
      usable.splice(sms, 1);
      problems.set('sms', {
        ok: false,
        problem: 'missing',
        detail: 'refused email, and neither chose SMS nor consented to texts',
      });
      if (usable.length === 0) {
        const detail = [...problems].map(([ch, p]) => `${ch}: ${p.detail}`).join('; ');
        return { ok: false, reason: 'NO_SMS_CONSENT', detail };
      }
    }
  }
  // A channel this deployment cannot send on gives way to the next usable one (or to nothing).
  let passedOver: Channel | undefined;
  if (working && usable.some((u) => !working.includes(u.channel))) {
    if (usable[0] && !working.includes(usable[0].channel)) passedOver = usable[0].channel;
    for (const u of usable.filter((x) => !working.includes(x.channel))) {
      problems.set(u.channel, { ok: false, problem: 'missing', detail: `${u.channel} is not configured here` });
    }
    usable.splice(0, usable.length, ...usable.filter((u) => working.includes(u.channel)));
  }

  const [first, second] = usable;
  if (first) {
    return {
      ok: true,
      channel: first.channel,
      address: first.address,
      fallbackChannel: second?.channel ?? null,
      fallbackAddress: second?.address ?? null,
      ...(passedOver ? { passedOver } : {}),
    };
  }

  const detail =
    candidates.length === 0
      ? `no channel left: alert allows ${allowed.join(', ') || 'none'}, fallback order ${fallbackOrder.join(', ')}`
      : [...problems].map(([ch, p]) => `${ch}: ${p.detail}`).join('; ');
  const email = problems.get('email');
  // The customer's own "no" is reported first: it is the reason that must never be overridden.
  if (email?.problem === 'opted-out') return { ok: false, reason: 'OPTED_OUT', detail };
  if (email?.problem === 'unsubscribed') return { ok: false, reason: 'UNSUBSCRIBED', detail };
  if (email?.problem === 'invalid') return { ok: false, reason: 'INVALID_EMAIL', detail };
  return { ok: false, reason: 'NO_USABLE_ADDRESS', detail };
}
