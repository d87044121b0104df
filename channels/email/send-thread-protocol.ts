import type { SendMailOptions } from 'nodemailer';
import type { AlertEmail } from './alert-email.js';
import type { EmailSendErrorCode, SmtpFailureDetails } from './send-errors.js';
import type { SendResult } from './sender.js';

/** What the composing thread asks of the send thread. */
export type SendThreadRequest =
  /** gated: the send thread asks (`handoff`) before the message's end goes out (SendOptions.onConnection). */
  | { id: number; op: 'send'; message: AlertEmail | SendMailOptions; gated: boolean }
  /** The answer to a `handoff`: let the message's end go, or withdraw it. */
  | { id: number; op: 'proceed'; go: boolean }
  /** Withdraw the message if it has not reached a connection yet (SendOptions.signal). */
  | { id: number; op: 'withdraw' }
  | { id: number; op: 'verify' }
  | { id: number; op: 'close' };

/**
 * The send thread's answer; an error without a code is one nodemailer's classification did not
 * know. `handoff` is no answer: the gated send `id` is on a connection and waits for `proceed`.
 */
export type SendThreadReply =
  | { id: number; ok: true; result: SendResult | true }
  | { id: number; ok: false; error: { code?: EmailSendErrorCode; message: string; details?: SmtpFailureDetails } }
  | { id: number; handoff: true };
