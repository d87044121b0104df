import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { buildAlertEmail } from './alert-email.js';
import { EmailSendError } from './send-errors.js';
import type { SendThreadLedgerOptions } from './send-thread-ledger.js';
import type {
  SendThreadClaim,
  SendThreadData,
  SendThreadError,
  SendThreadReply,
  SendThreadRequest,
} from './send-thread-protocol.js';
import {
  createEmailSender,
  onAbortOf,
  type EmailSender,
  type EmailSenderOptions,
  type SendOptions,
  type SendResult,
} from './sender.js';
import { redactSmtpUrl } from './smtp-url.js';

export interface ThreadedEmailSenderOptions extends EmailSenderOptions {
  /** Heap bound of the send thread: its garbage never grows the worker's memory beyond this. */
  threadHeapMb?: number;
  /**
   * The delivery ledger's PostgreSQL (store/db.ts: Db.postgres): the send thread opens its own
   * connection and claims the rows of sends that name theirs (SendOptions.ledgerRow) itself, with
   * no hop to this thread and back while a message waits at its end on a connection. Unset (PGlite,
   * which no other thread can reach): every claim is this thread's onConnection.
   */
  ledger?: SendThreadLedgerOptions;
}

/**
 * An EmailSender whose SMTP side (nodemailer's MIME encoding, streams and sockets, most of the
 * CPU a send costs) runs on its own thread, so a dispatching worker uses a second core while its
 * main thread composes, talks to Temporal and writes the ledger. Composing stays here: it is
 * cheap, and the ledger needs the Message-ID before the send. A send's onConnection runs here,
 * when the thread reports the message on a connection. If the thread dies with sends in flight,
 * those that may have gone out fail with SMTP_OUTCOME_UNKNOWN; gated sends whose end was not let
 * go fail with SMTP_TEMPORARY (nothing was delivered). A send whose row the thread claims itself
 * (options.ledger) may have gone out unless it was handed off: SMTP_OUTCOME_UNKNOWN, and its
 * claim's answer is that failure (the ledger row says whether it was claimed). The next send
 * starts a new thread.
 */
export interface ThreadedEmailSender extends EmailSender {
  /** Terminates the send thread at once, sends in flight included (what a crash of the thread does). */
  terminateThread(): Promise<void>;
  /** The send thread's id (worker_threads threadId), for memory reports; undefined while no thread runs. */
  threadId(): number | undefined;
}

export function createThreadedEmailSender(options: ThreadedEmailSenderOptions): ThreadedEmailSender {
  // Validates the options here, where a mistake is reported at start-up, not in the thread.
  const local = createEmailSender(options);
  local.close();
  const { threadHeapMb, ledger, ...senderOptions } = options;
  const sender = {
    from: options.from,
    replyDomain: options.replyDomain,
    publicUrl: options.publicUrl,
    messageIdDomain: options.messageIdDomain,
  };

  let thread: Worker | undefined;
  let nextId = 1;
  interface Waiter {
    resolve: (v: SendResult | true) => void;
    reject: (e: unknown) => void;
    options?: SendOptions;
    /** Gated: its end was let go (onConnection answered true), so it may be delivered. */
    released?: boolean;
    /** onConnection failed: send() rejects with this rather than SMTP_WITHDRAWN. */
    hookError?: unknown;
    /** The thread was asked to claim the ledger row itself (it may still hand off, its ledger not open). */
    claimsRow?: boolean;
    /** The thread handed the send off to onConnection (it could not claim the row itself), or answered. */
    decided?: boolean;
  }
  const pending = new Map<number, Waiter>();

  /** The thread reports a gated send on a connection: ask onConnection, and answer. */
  const handoff = (worker: Worker, id: number, waiter: Waiter) => {
    waiter.decided = true;
    waiter.options!.onConnection!().then(
      (go) => {
        waiter.released = go;
        worker.postMessage({ id, op: 'proceed', go } satisfies SendThreadRequest);
      },
      (error: unknown) => {
        waiter.hookError = error;
        worker.postMessage({ id, op: 'proceed', go: false } satisfies SendThreadRequest);
      },
    );
  };

  /** The thread claimed the row itself: the claim's answer goes to the send's LedgerRow before send() settles. */
  const claimed = (waiter: Waiter, claim: SendThreadClaim, error: SendThreadError | undefined) => {
    waiter.decided = true;
    if (claim === 'failed') {
      const failure = toError(error ?? { message: 'the ledger claim failed' });
      waiter.hookError = failure;
      waiter.options?.ledgerRow?.claimed(Promise.reject(failure));
    } else waiter.options?.ledgerRow?.claimed(Promise.resolve(claim === 'held'));
  };

  const start = (): Worker => {
    const entry = threadEntry();
    const worker = new Worker(entry, {
      workerData: { sender: senderOptions, ...(ledger ? { ledger } : {}) } satisfies SendThreadData<
        typeof senderOptions
      >,
      resourceLimits: { maxOldGenerationSizeMb: threadHeapMb ?? 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.on('message', (reply: SendThreadReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      if ('handoff' in reply) return handoff(worker, reply.id, waiter);
      pending.delete(reply.id);
      if (reply.claim) claimed(waiter, reply.claim, reply.ok ? undefined : reply.error);
      if (reply.ok) waiter.resolve(reply.result);
      else if (waiter.hookError !== undefined && (reply.error.code === 'SMTP_WITHDRAWN' || !reply.error.code))
        waiter.reject(waiter.hookError);
      else waiter.reject(toError(reply.error));
    });
    const lost = (why: string) => {
      if (thread === worker) thread = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        // A row the thread claims itself: it may have been claimed and its end let go without a word yet.
        const unreported = waiter.claimsRow && !waiter.decided;
        if (unreported)
          waiter.options?.ledgerRow?.claimed(
            Promise.reject(new EmailSendError('SMTP_OUTCOME_UNKNOWN', `the SMTP send thread stopped (${why})`, {})),
          );
        const delivered = !waiter.options?.onConnection || waiter.released || unreported;
        waiter.reject(
          delivered
            ? new EmailSendError('SMTP_OUTCOME_UNKNOWN', `the SMTP send thread stopped (${why})`, {})
            : new EmailSendError(
                'SMTP_TEMPORARY',
                `the SMTP send thread stopped (${why}) before the message's end was sent`,
                {},
              ),
        );
      }
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit ${code}`));
    // Idle, the thread must not keep the process alive.
    worker.unref();
    return worker;
  };

  const ask = (request: WithoutId<SendThreadRequest>, sendOptions?: SendOptions) =>
    new Promise<SendResult | true>((resolve, reject) => {
      const worker = (thread ??= start());
      const id = nextId++;
      const signal = sendOptions?.signal;
      const withdraw = () => worker.postMessage({ id, op: 'withdraw' } satisfies SendThreadRequest);
      const settled = signal && !signal.aborted ? onAbortOf(signal, withdraw) : () => undefined;
      const row = ledger && request.op === 'send' && request.gated ? sendOptions?.ledgerRow : undefined;
      pending.set(id, {
        resolve: (v) => (settled(), resolve(v)),
        reject: (e) => (settled(), reject(e)),
        options: sendOptions,
        ...(row ? { claimsRow: true } : {}),
      });
      worker.postMessage(
        row
          ? { ...request, id, row: { alertId: row.alertId, contactId: row.contactId, recordSent: row.recordSent } }
          : { ...request, id },
      );
      if (signal?.aborted) withdraw();
    });

  return {
    target: redactSmtpUrl(options.smtpUrl),
    compose: (input) => buildAlertEmail({ ...input, sender }),
    send: async (message, sendOptions) =>
      (await ask({ op: 'send', message, gated: !!sendOptions?.onConnection }, sendOptions)) as SendResult,
    verify: async () => (await ask({ op: 'verify' })) as true,
    close() {
      thread?.postMessage({ id: 0, op: 'close' } satisfies SendThreadRequest);
      thread = undefined;
    },
    async terminateThread() {
      await thread?.terminate();
    },
    threadId: () => thread?.threadId,
  };
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** An error from the send thread as this thread's: an EmailSendError when it carries a code. */
const toError = (error: SendThreadError): Error =>
  error.code ? new EmailSendError(error.code, error.message, error.details ?? {}) : new Error(error.message);

/**
 * From source: a loader that registers tsx first. Compiled: send-thread.mjs beside an esbuild
 * bundle, or send-thread.js beside this file in tsc's dist/.
 */
function threadEntry(): URL {
  const candidates = ['./send-thread-from-source.mjs', './send-thread.mjs', './send-thread.js'];
  for (const name of candidates) {
    const url = new URL(name, import.meta.url);
    if (existsSync(url)) return url;
  }
  throw new Error(`the SMTP send thread's entry is missing beside ${import.meta.url}`);
}
