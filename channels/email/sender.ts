import nodemailer, { type SendMailOptions } from 'nodemailer';
import { DomainError } from '../../domain/errors.js';
import { ALERT_ID_HEADER, buildAlertEmail, type AlertEmail } from './alert-email.js';
import { alertEmailRaw } from './alert-mime.js';
import { senderSettingsSchema, type AlertEmailInput, type SenderSettingsInput } from './alert-email-input.js';
import { classifySendFailure, EmailSendError } from './send-errors.js';
import { isSmtpUrl, redactSmtpUrl } from './smtp-url.js';

export interface EmailSenderOptions extends SenderSettingsInput {
  /** smtp://user:pass@host:587 or smtps://...:465; credentials are never logged. */
  smtpUrl: string;
  pool?: { maxConnections?: number; maxMessages?: number };
  /** nodemailer DKIM signing (it signs List-Unsubscribe and List-Unsubscribe-Post too). */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  timeouts?: { connectMs?: number; greetingMs?: number; socketMs?: number };
}

export interface SendResult {
  /** true: the server took the message for every recipient. */
  accepted: boolean;
  messageId: string;
  /** The server's last reply (or its rejection). */
  response: string;
  /** true: a hard bounce (5xx to RCPT TO/DATA); do not retry, mark the address. */
  permanent: boolean;
  responseCode?: number;
}

export interface EmailSender {
  /** buildAlertEmail with this sender's from, reply domain and public URL filled in. */
  compose(input: Omit<AlertEmailInput, 'sender'>): AlertEmail;
  /**
   * Sends one message. Resolves with accepted or a permanent rejection; throws
   * EmailSendError: code SMTP_TEMPORARY (retry later), SMTP_CONFIG or SMTP_INVALID_MESSAGE.
   */
  send(message: AlertEmail | SendMailOptions): Promise<SendResult>;
  /** Connects and authenticates once; throws EmailSendError like send(). */
  verify(): Promise<true>;
  /** The SMTP URL without its password, for logs. */
  readonly target: string;
  close(): void;
}

/** The pooled transport's defaults (benchmarks compare against a bare nodemailer pool with the same). */
export const DEFAULT_SMTP_POOL = { maxConnections: 5, maxMessages: 100 } as const;

export function createEmailSender(options: EmailSenderOptions): EmailSender {
  if (!isSmtpUrl(options.smtpUrl)) {
    throw new DomainError('VALIDATION', 'email sender: smtpUrl: expected smtp:// or smtps:// URL', 'smtpUrl');
  }
  const settings = senderSettingsSchema.safeParse(options);
  if (!settings.success) {
    const issue = settings.error.issues[0];
    const field = issue?.path.join('.') || 'settings';
    throw new DomainError('VALIDATION', `email sender: ${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const sender = {
    from: options.from,
    replyDomain: options.replyDomain,
    publicUrl: options.publicUrl,
    messageIdDomain: options.messageIdDomain,
  };
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: options.pool?.maxConnections ?? DEFAULT_SMTP_POOL.maxConnections,
    maxMessages: options.pool?.maxMessages ?? DEFAULT_SMTP_POOL.maxMessages,
    // nodemailer's defaults (2 min to connect, 10 min idle socket) would hold a dispatch batch far too long.
    connectionTimeout: options.timeouts?.connectMs ?? 10_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
    socketTimeout: options.timeouts?.socketMs ?? 60_000,
    // Its logger would print the AUTH exchange; errors come back through send() instead.
    logger: false,
    ...(options.dkim ? { dkim: options.dkim } : {}),
  });

  return {
    target: redactSmtpUrl(options.smtpUrl),
    compose: (input) => buildAlertEmail({ ...input, sender }),
    async send(message) {
      const messageId = typeof message.messageId === 'string' ? message.messageId : '';
      try {
        // Alert emails go as finished messages (see alert-mime.ts); other mail is composed by nodemailer.
        const info = await transport.sendMail((isAlertEmail(message) && alertEmailRaw(message, new Date())) || message);
        const rejected = info.rejected ?? [];
        return {
          accepted: rejected.length === 0,
          messageId: info.messageId || messageId,
          response: info.response ?? '',
          permanent: rejected.length > 0,
        };
      } catch (error) {
        const failure = classifySendFailure(error);
        if (failure instanceof EmailSendError) throw failure;
        return {
          accepted: false,
          messageId,
          response: failure.details.response ?? '',
          permanent: true,
          ...(failure.details.responseCode !== undefined ? { responseCode: failure.details.responseCode } : {}),
        };
      }
    },
    async verify() {
      try {
        await transport.verify();
        return true;
      } catch (error) {
        const failure = classifySendFailure(error);
        throw failure instanceof EmailSendError
          ? failure
          : new EmailSendError('SMTP_CONFIG', 'SMTP server refused the session', failure.details, { cause: error });
      }
    },
    close: () => transport.close(),
  };
}

function isAlertEmail(message: AlertEmail | SendMailOptions): message is AlertEmail {
  const headers = message.headers as Partial<AlertEmail['headers']> | undefined;
  return typeof headers?.[ALERT_ID_HEADER] === 'string' && typeof message.html === 'string';
}
