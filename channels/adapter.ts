import type { Channel } from '../domain/vocabulary/index.js';
import type { TokenPurpose } from '../domain/broadcast/signed-token.js';

/** What every channel needs of an alert; an AlertRow fits as it is. */
export interface ChannelAlert {
  id: string;
  title: string;
  body: string;
}

/** One person on one channel: the address is what the audience policy chose (email, Slack user id, E.164). */
export interface ChannelRecipient {
  contactId: string;
  address: string;
}

/**
 * Signs the delivery's token for a purpose. A function, not four signed tokens: Slack and SMS
 * need only the response token, and an HMAC per unused purpose would be wasted work.
 */
export type TokenSigner = (purpose: Exclude<TokenPurpose, 'approval'>) => string;

/**
 * The outcome of one send that reached a verdict:
 * - sent: the channel took it;
 * - bounced: refused for good for this recipient (a hard bounce, an unknown Slack user, an
 *   unreachable number); dispatch gives it one try on the fallback channel;
 * - failed: refused, but not the address's fault.
 * A send that reached no verdict (rate limit that outlasts our patience, network, outage)
 * throws a ChannelSendError (or EmailSendError) instead: the row goes back to pending and the
 * activity retries.
 */
export interface Attempt {
  status: 'sent' | 'failed' | 'bounced';
  channel: Channel;
  messageId?: string;
  error?: string;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  send(alert: ChannelAlert, recipient: ChannelRecipient, sign: TokenSigner): Promise<Attempt>;
}

/** The adapters a worker can send on; a channel without one is served by the contact's fallback. */
export type ChannelAdapters = Partial<Record<Channel, ChannelAdapter>>;
