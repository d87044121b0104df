import type { NodemailerError } from 'nodemailer';

/**
 * - SMTP_TEMPORARY: 4xx, refused/dropped connection, timeout. Retry later; nothing was delivered.
 * - SMTP_CONFIG: the server refused us rather than the recipient (auth, sender, TLS, settings).
 *   Retrying the same recipient will not help until someone fixes the configuration.
 * - SMTP_INVALID_MESSAGE: nodemailer refused the message before sending (no recipient, bad address...).
 * - SMTP_OUTCOME_UNKNOWN: the sender died while the message was on its way, or the connection
 *   failed after the message's end had gone out; it may have been delivered, so it must not be
 *   sent again blindly.
 * - SMTP_WITHDRAWN: the caller withdrew the message before its end went out (send()'s
 *   onConnection answered false, or its signal aborted while it queued): nothing was delivered.
 */
export type EmailSendErrorCode =
  'SMTP_TEMPORARY' | 'SMTP_CONFIG' | 'SMTP_INVALID_MESSAGE' | 'SMTP_OUTCOME_UNKNOWN' | 'SMTP_WITHDRAWN';

export interface SmtpFailureDetails {
  /** SMTP reply code, when the server answered. */
  responseCode?: number;
  /** SMTP reply text, when the server answered. */
  response?: string;
  /** SMTP command that failed, e.g. 'RCPT TO', 'DATA', 'AUTH PLAIN', 'CONN'. */
  command?: string;
  /** nodemailer or socket error code, e.g. ECONNECTION, ETIMEDOUT, ECONNREFUSED. */
  transportCode?: string;
}

export class EmailSendError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: EmailSendErrorCode,
    message: string,
    readonly details: SmtpFailureDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmailSendError';
    this.retryable = code === 'SMTP_TEMPORARY';
  }
}

export function isSmtpTemporary(error: unknown): error is EmailSendError {
  return error instanceof EmailSendError && error.code === 'SMTP_TEMPORARY';
}

/** A hard bounce of one recipient: the message was refused for good, do not retry it. */
export interface PermanentRejection {
  permanent: true;
  details: SmtpFailureDetails;
}

const CONFIG_CODES = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ETLS',
  'EREQUIRETLS',
  'ECONFIG',
  'EPROXY',
  'ERR_ACCESS_DENIED',
]);
const INVALID_MESSAGE_CODES = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'EMAXRECIPIENTS',
  'ESTREAM',
  'EOTP',
  'EFILEACCESS',
  'EURLACCESS',
  'EFETCH',
]);
/** Replies to these commands are about the recipient or the message; a 5xx to anything else is about us. */
const RECIPIENT_COMMANDS = /^(RCPT TO|DATA|BDAT|\.)/i;

function detailsOf(error: NodemailerError): SmtpFailureDetails {
  const details: SmtpFailureDetails = {};
  if (typeof error.responseCode === 'number') details.responseCode = error.responseCode;
  if (error.response) details.response = error.response;
  if (error.command) details.command = error.command;
  const transportCode = error.originalCode ?? error.code;
  if (transportCode) details.transportCode = transportCode;
  return details;
}

/**
 * Sorts a nodemailer failure into "this recipient bounced" (returned) or an EmailSendError
 * (returned, for the caller to throw). Only a 5xx to RCPT TO or DATA is a bounce: a 5xx to
 * AUTH or MAIL FROM means our configuration is wrong, and must not mark customers undeliverable.
 */
export function classifySendFailure(error: unknown): PermanentRejection | EmailSendError {
  const e = (error ?? {}) as NodemailerError;
  const details = detailsOf(e);
  const message = e.message || 'SMTP send failed';
  const code = details.responseCode;
  if (code !== undefined && code >= 500 && e.permanent !== false) {
    if (RECIPIENT_COMMANDS.test(e.command ?? '') || e.rejectedErrors?.length) return { permanent: true, details };
    return new EmailSendError('SMTP_CONFIG', `SMTP server refused the sender: ${message}`, details, { cause: error });
  }
  if (code !== undefined)
    return new EmailSendError('SMTP_TEMPORARY', `SMTP temporary failure: ${message}`, details, { cause: error });
  if (e.code && CONFIG_CODES.has(e.code)) {
    return new EmailSendError('SMTP_CONFIG', `SMTP configuration problem: ${message}`, details, { cause: error });
  }
  if (e.code && INVALID_MESSAGE_CODES.has(e.code)) {
    return new EmailSendError('SMTP_INVALID_MESSAGE', `message not sendable: ${message}`, details, { cause: error });
  }
  // Connection refused or dropped, timeouts, DNS, aborts and anything unknown: retrying is safe.
  return new EmailSendError('SMTP_TEMPORARY', `SMTP temporary failure: ${message}`, details, { cause: error });
}
