/**
 * The SMS provider port: one text to one E.164 number. Implementations map their provider's
 * answers onto these outcomes; the SMS channel adapter decides what dispatch does with them.
 */
export interface SmsMessage {
  /** E.164, e.g. +16175550188 (the audience policy only produces such numbers). */
  to: string;
  body: string;
  /** Ours, deterministic per (alert, contact): sent as an idempotency key where the provider honours one. */
  reference: string;
}

/**
 * - SMS_INVALID_NUMBER: not a phone number the provider accepts (Twilio 21211).
 * - SMS_UNREACHABLE: a number that cannot receive texts: landline, unroutable, blocked (21614, 21612, 21408).
 * - SMS_OPTED_OUT: the person replied STOP to our sender (21610); texting them again is not allowed.
 * - SMS_REJECTED: refused for another reason that is about this message.
 */
export type SmsPermanentCode = 'SMS_INVALID_NUMBER' | 'SMS_UNREACHABLE' | 'SMS_OPTED_OUT' | 'SMS_REJECTED';
/**
 * - SMS_RATE_LIMITED: 429; `retryAfterSeconds` when the provider said.
 * - SMS_UNAVAILABLE: 5xx, refused connection: nothing was sent.
 * - SMS_CONFIG: the provider refused us (credentials, account, sender number), not the recipient.
 * - SMS_OUTCOME_UNKNOWN: the request left and no answer came back; it may have been sent.
 */
export type SmsTemporaryCode = 'SMS_RATE_LIMITED' | 'SMS_UNAVAILABLE' | 'SMS_CONFIG' | 'SMS_OUTCOME_UNKNOWN';

export type SmsSendResult =
  | { accepted: true; providerMessageId: string }
  | { accepted: false; permanent: true; code: SmsPermanentCode; providerCode?: number; message: string }
  | {
      accepted: false;
      permanent: false;
      code: SmsTemporaryCode;
      providerCode?: number;
      message: string;
      retryAfterSeconds?: number;
    };

export interface SmsProvider {
  /** Never throws: every failure is one of the outcomes above. */
  send(message: SmsMessage): Promise<SmsSendResult>;
  /** For logs and the start-up banner: where texts go, without credentials. */
  readonly target: string;
}
