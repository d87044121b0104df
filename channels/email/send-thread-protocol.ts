import type { SendMailOptions } from 'nodemailer';
import type { AlertEmail } from './alert-email.js';
import type { EmailSendErrorCode, SmtpFailureDetails } from './send-errors.js';
import type { SendResult } from './sender.js';

/** What the composing thread asks of the send thread. */
export type SendThreadRequest =
  | { id: number; op: 'send'; message: AlertEmail | SendMailOptions }
  | { id: number; op: 'verify' }
  | { id: number; op: 'close' };

/** The send thread's answer; an error without a code is one nodemailer's classification did not know. */
export type SendThreadReply =
  | { id: number; ok: true; result: SendResult | true }
  | { id: number; ok: false; error: { code?: EmailSendErrorCode; message: string; details?: SmtpFailureDetails } };
