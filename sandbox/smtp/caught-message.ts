/** What the catcher keeps for every message, also the shape of one line of the data dir's index. */
export interface CaughtMessage {
  /** Catcher id (a ULID: sorts by arrival). */
  id: string;
  receivedAt: string;
  /** SMTP envelope sender (MAIL FROM), '' for the null sender. */
  envelopeFrom: string;
  /** SMTP envelope recipients (RCPT TO), lower-cased: the addresses the message was delivered to. */
  recipients: string[];
  /** Message-ID header as sent, angle brackets included. */
  messageId?: string;
  /** X-Rapport-Alert-Id header. */
  alertId?: string;
  /** X-Rapport-Contact-Id header. */
  contactId?: string;
  subject: string;
  /** From and To headers, decoded for display. */
  from: string;
  to: string;
  /** Date header as sent. */
  date?: string;
  size: number;
}

export interface Duplicate {
  alertId: string;
  recipient: string;
  count: number;
  /** Catcher ids of the messages, oldest first. */
  ids: string[];
}

export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}
