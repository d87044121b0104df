import type { SendMailOptions } from 'nodemailer';
import type { AlertEmail } from './alert-email.js';
import type { EmailSendErrorCode, SmtpFailureDetails } from './send-errors.js';
import type { SendResult } from './sender.js';
import type { SendThreadLedgerOptions } from './send-thread-ledger.js';

/** What the send thread starts with: its sender, and the ledger it may write claims to itself. */
export interface SendThreadData<SenderOptions> {
  sender: SenderOptions;
  ledger?: SendThreadLedgerOptions;
}

/** The ledger row of a gated send, for a send thread that claims it itself (LedgerRow without its callback). */
export interface SendThreadRow {
  alertId: string;
  contactId: string;
  recordSent: boolean;
}

/** An error as it crosses the thread boundary; one without a code is one nodemailer's classification did not know. */
export interface SendThreadError {
  code?: EmailSendErrorCode;
  message: string;
  details?: SmtpFailureDetails;
}

/** What the composing thread asks of the send thread. */
export type SendThreadRequest =
  /**
   * gated: the send thread asks (`handoff`) before the message's end goes out (SendOptions.onConnection),
   * or, given its row and a ledger connection, claims the row itself and says so in its answer.
   */
  | { id: number; op: 'send'; message: AlertEmail | SendMailOptions; gated: boolean; row?: SendThreadRow }
  /** The answer to a `handoff`: let the message's end go, or withdraw it. */
  | { id: number; op: 'proceed'; go: boolean }
  /** Withdraw the message if it has not reached a connection yet (SendOptions.signal). */
  | { id: number; op: 'withdraw' }
  | { id: number; op: 'verify' }
  | { id: number; op: 'close' };

/**
 * What became of a row the send thread claimed itself: held, refused (no longer pending), or the
 * claim's statement failed (the send's error is that failure).
 */
export type SendThreadClaim = 'held' | 'refused' | 'failed';

/**
 * The send thread's answer; `claim` is there when the thread claimed the send's row itself.
 * `handoff` is no answer: the gated send `id` is on a connection and waits for `proceed`.
 */
export type SendThreadReply =
  | { id: number; ok: true; result: SendResult | true; claim?: SendThreadClaim }
  | { id: number; ok: false; error: SendThreadError; claim?: SendThreadClaim }
  | { id: number; handoff: true };
