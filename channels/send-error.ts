import { EmailSendError } from './email/send-errors.js';

/**
 * Why a Slack or SMS send reached no verdict. Every code is retryable: the row goes back to
 * pending and the dispatch activity tries again later.
 * - *_TEMPORARY: outage, 5xx, refused connection: nothing was delivered.
 * - *_RATE_LIMITED: the provider asked us to wait longer than one send may block.
 * - *_CONFIG: the provider refused us (token, account, sender), not the recipient; like
 *   SMTP_CONFIG it retries until someone fixes the configuration, and never marks customers.
 * - *_OUTCOME_UNKNOWN: the request left and no answer came back (timeout, reset): the message
 *   may have been delivered, so it must not be resent blindly.
 */
export type ChannelSendErrorCode =
  | 'SLACK_TEMPORARY'
  | 'SLACK_RATE_LIMITED'
  | 'SLACK_CONFIG'
  | 'SLACK_OUTCOME_UNKNOWN'
  | 'SMS_TEMPORARY'
  | 'SMS_RATE_LIMITED'
  | 'SMS_CONFIG'
  | 'SMS_OUTCOME_UNKNOWN';

export class ChannelSendError extends Error {
  readonly retryable = true;

  constructor(
    readonly code: ChannelSendErrorCode,
    message: string,
    /** Seconds the provider asked us to wait, when it said. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelSendError';
  }
}

/** A send its caller withdrew (SendHooks.beforeSend answered false) before it started. */
export class SendWithdrawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendWithdrawnError';
  }
}

/** A send its caller withdrew (SendHooks) before anything of it could be delivered. */
export function isWithdrawn(error: unknown): boolean {
  return error instanceof SendWithdrawnError || (error instanceof EmailSendError && error.code === 'SMTP_WITHDRAWN');
}

/** A send that may have delivered: the ledger row must stay 'sending' (reported unconfirmed), never be released. */
export function isOutcomeUnknown(error: unknown): boolean {
  if (error instanceof EmailSendError) return error.code === 'SMTP_OUTCOME_UNKNOWN';
  return error instanceof ChannelSendError && error.code.endsWith('_OUTCOME_UNKNOWN');
}
