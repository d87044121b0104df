import { Transform, type Readable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { LedgerRow } from '../adapter.js';
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
  /** The sender wrote the ledger row's 'sent' outcome itself (SendOptions.ledgerRow with recordSent). */
  recorded?: boolean;
}

/** What a caller may ask of one send besides the message. */
export interface SendOptions {
  /**
   * Called once, when the pool hands the message to an SMTP connection (a message waits in the
   * pool's queue while every connection is busy). The envelope and the message's bytes go ahead
   * meanwhile, but not its end: without the final "." a server delivers nothing. true lets the
   * end go; false withdraws the message (its connection is closed before the end, send() rejects
   * with SMTP_WITHDRAWN); a rejection withdraws it too and send() rejects with that error.
   * Dispatch records the ledger row 'sending' here, so a row is 'sending' only while its message
   * is on a connection.
   */
  onConnection?: () => Promise<boolean>;
  /** Aborted before onConnection was called: the message leaves the queue, withdrawn. Later: ignored. */
  signal?: AbortSignal;
  /** With onConnection: the ledger row it claims, for a sender that claims it itself (see LedgerRow). */
  ledgerRow?: LedgerRow;
}

export interface EmailSender {
  /** buildAlertEmail with this sender's from, reply domain and public URL filled in. */
  compose(input: Omit<AlertEmailInput, 'sender'>): AlertEmail;
  /**
   * Sends one message. Resolves with accepted or a permanent rejection; throws
   * EmailSendError: code SMTP_TEMPORARY (retry later), SMTP_CONFIG, SMTP_INVALID_MESSAGE, or
   * with options: SMTP_WITHDRAWN, and SMTP_OUTCOME_UNKNOWN when the connection failed after the
   * message's end went out.
   */
  send(message: AlertEmail | SendMailOptions, options?: SendOptions): Promise<SendResult>;
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
  // A gated send's stream is held at its end until onConnection answers (see SendOptions).
  transport.use('stream', (mail, done) => {
    const gate = (mail.data as { [GATE]?: Gate })[GATE];
    if (gate) mail.message.processFunc((input) => gate.hold(input));
    done();
  });

  return {
    target: redactSmtpUrl(options.smtpUrl),
    compose: (input) => buildAlertEmail({ ...input, sender }),
    async send(message, sendOptions) {
      const messageId = typeof message.messageId === 'string' ? message.messageId : '';
      const gate = sendOptions?.onConnection ? createGate(sendOptions.onConnection, sendOptions.signal) : undefined;
      try {
        // Alert emails go as finished messages (see alert-mime.ts); other mail is composed by nodemailer.
        const mail = (isAlertEmail(message) && alertEmailRaw(message, new Date())) || message;
        const gated: SendMailOptions = gate ? { ...mail, signal: gate.withdraw.signal } : mail;
        if (gate) Object.assign(gated, { [GATE]: gate });
        const info = await transport.sendMail(gated);
        const rejected = info.rejected ?? [];
        return {
          accepted: rejected.length === 0,
          messageId: info.messageId || messageId,
          response: info.response ?? '',
          permanent: rejected.length > 0,
        };
      } catch (error) {
        if (gate?.withdrawn) throw gate.withdrawn;
        const failure = classifySendFailure(error);
        // The end went out and then the connection failed without an answer: it may have been delivered.
        if (gate?.ended && failure instanceof EmailSendError && failure.retryable && !failure.details.responseCode)
          throw new EmailSendError(
            'SMTP_OUTCOME_UNKNOWN',
            `no answer after the message was sent: ${failure.message}`,
            failure.details,
            { cause: error },
          );
        if (failure instanceof EmailSendError) throw failure;
        return {
          accepted: false,
          messageId,
          response: failure.details.response ?? '',
          permanent: true,
          ...(failure.details.responseCode !== undefined ? { responseCode: failure.details.responseCode } : {}),
        };
      } finally {
        gate?.dispose();
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

/** The key of a send's gate on nodemailer's message data, where the 'stream' plugin finds it. */
const GATE = 'rapportGate';

interface Gate {
  /** Aborts nodemailer's send: out of the queue, or its connection closed before the end. */
  withdraw: AbortController;
  /** Set when the send was withdrawn: the error send() rejects with. */
  withdrawn?: Error;
  /** The message's end was let go: from here it may be delivered. */
  ended: boolean;
  /** nodemailer's processFunc: called when the pool hands the message to a connection. */
  hold(input: Readable): Readable;
  /** The send is over: stop listening to its signal. */
  dispose(): void;
}

function createGate(onConnection: () => Promise<boolean>, signal: AbortSignal | undefined): Gate {
  let decision: Promise<boolean> | undefined;
  const gate: Gate = {
    withdraw: new AbortController(),
    ended: false,
    dispose: () => undefined,
    hold(input) {
      // Once per send: a message the pool requeues (its connection closed before any byte of it was
      // read) is held again on the next connection with the same answer.
      decision ??= onConnection().then(
        (go) => {
          if (!go) withdraw(new EmailSendError('SMTP_WITHDRAWN', 'withdrawn before its end was sent', {}));
          return go;
        },
        (error: unknown) => {
          withdraw(error instanceof Error ? error : new Error(String(error)));
          return false;
        },
      );
      const decided = decision;
      const held = new Transform({
        transform: (chunk, _encoding, next) => next(null, chunk),
        flush(next) {
          void decided.then((go) => {
            if (!go) return next(new Error('withdrawn'));
            gate.ended = true;
            next();
          });
        },
      });
      // pipe() rather than pipeline(): a third of the cost per message. nodemailer destroys the input
      // when the output fails; an input that fails fails the output here.
      input.once('error', (error) => held.destroy(error));
      return input.pipe(held);
    },
  };
  const withdraw = (why: Error) => {
    gate.withdrawn ??= why;
    // The pool takes it out of its queue, or closes the connection it is on: its end never goes out.
    gate.withdraw.abort();
  };
  const onAbort = () => {
    if (!decision) withdraw(new EmailSendError('SMTP_WITHDRAWN', 'withdrawn before it reached a connection', {}));
  };
  if (signal?.aborted) onAbort();
  else if (signal) gate.dispose = onAbortOf(signal, onAbort);
  return gate;
}

const abortWatchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `fn` when `signal` aborts; returns the function that forgets it. One listener per signal:
 * a dispatch gives every send of an attempt the same one, and a listener added and removed per
 * message costs more than the rest of this file's work for it.
 */
export function onAbortOf(signal: AbortSignal, fn: () => void): () => void {
  let watchers = abortWatchers.get(signal);
  if (!watchers) {
    const set = (watchers = new Set());
    abortWatchers.set(signal, set);
    signal.addEventListener('abort', () => set.forEach((watcher) => watcher()), { once: true });
  }
  watchers.add(fn);
  return () => watchers.delete(fn);
}

function isAlertEmail(message: AlertEmail | SendMailOptions): message is AlertEmail {
  const headers = message.headers as Partial<AlertEmail['headers']> | undefined;
  return typeof headers?.[ALERT_ID_HEADER] === 'string' && typeof message.html === 'string';
}
