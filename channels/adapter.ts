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
  /** The contact's first name when known: the alert greets them by it. */
  firstName?: string | null;
  /** The contact's preference centre (a signed per-contact link); unset: the message carries none. */
  preferencesUrl?: string;
}

/**
 * Signs the delivery's token for a purpose. A function, not four signed tokens: Slack and SMS
 * need only the response token, and an HMAC per unused purpose would be wasted work.
 */
export type TokenSigner = (purpose: Exclude<TokenPurpose, 'approval' | 'preferences'>) => string;

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
  /** The transport already wrote this outcome to the ledger row (SendHooks.ledgerRow with recordSent). */
  recorded?: boolean;
}

/**
 * The delivery ledger row a send claims in beforeSend. A sender that can write the claim itself
 * where the connection is (email's SMTP send thread, over its own database connection: no hop to the
 * composing thread and back while the message waits at its end) claims the row there instead of
 * calling beforeSend, and hands the claim's answer to `claimed` before send() settles. The others
 * ignore it and call beforeSend.
 */
export interface LedgerRow {
  alertId: string;
  contactId: string;
  /** Accepted: also write the row's outcome ('sent', channel email, the message's Message-ID) with the claim's writes. */
  recordSent: boolean;
  /** The claim's answer (true: held), or its failure; called at most once. */
  claimed(held: Promise<boolean>): void;
}

/**
 * A caller's say over the moment a message leaves, for a transport that queues messages before
 * they go out (email's SMTP pool). Dispatch uses it to write the ledger's 'sending' only once a
 * message is really on its way.
 */
export interface SendHooks {
  /**
   * Called once the message is about to go out and nothing of it can be delivered yet; it waits
   * for the answer. true: send it. false: withdraw it (send() throws a withdrawn error). A rejection
   * withdraws it too and send() throws that error.
   */
  beforeSend(): Promise<boolean>;
  /** Aborted while the message still waits for its turn (before beforeSend): withdraw it. */
  signal?: AbortSignal;
  /** The ledger row beforeSend claims, for a transport that claims it itself (see LedgerRow). */
  ledgerRow?: LedgerRow;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /**
   * true: send() calls hooks.beforeSend itself, as late as it can. Otherwise a caller with hooks
   * calls beforeSend before send() (a Slack or SMS send is one request, nothing queues it).
   */
  readonly callsBeforeSend?: boolean;
  send(alert: ChannelAlert, recipient: ChannelRecipient, sign: TokenSigner, hooks?: SendHooks): Promise<Attempt>;
}

/** The adapters a worker can send on; a channel without one is served by the contact's fallback. */
export type ChannelAdapters = Partial<Record<Channel, ChannelAdapter>>;
