import { addressFor, type ChannelAddress } from './addresses.js';
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
  | { ok: false; reason: 'OPTED_OUT' | 'UNSUBSCRIBED' | 'INVALID_EMAIL' | 'NO_USABLE_ADDRESS'; detail: string };

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

export function chooseChannel(
  recipient: Recipient,
  allowed: readonly Channel[],
  fallbackOrder: readonly Channel[],
  /** Why the CRM's subscription preferences refuse this alert's email, when they do. */
  emailRefusal?: string | null,
): ChannelChoice {
  const candidates = candidateChannels(preferredChannel(recipient), allowed, fallbackOrder);
  const usable: { channel: Channel; address: string }[] = [];
  const problems = new Map<Channel, Extract<ChannelAddress, { ok: false }>>();
  for (const channel of candidates) {
    const a = addressFor(recipient, channel, emailRefusal);
    if (a.ok) usable.push({ channel, address: a.address });
    else problems.set(channel, a);
  }

  const [first, second] = usable;
  if (first) {
    return {
      ok: true,
      channel: first.channel,
      address: first.address,
      fallbackChannel: second?.channel ?? null,
      fallbackAddress: second?.address ?? null,
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
