import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { buildAlertEmail } from './alert-email.js';
import { EmailSendError } from './send-errors.js';
import type { SendThreadReply, SendThreadRequest } from './send-thread-protocol.js';
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
}

/**
 * An EmailSender whose SMTP side (nodemailer's MIME encoding, streams and sockets, most of the
 * CPU a send costs) runs on its own thread, so a dispatching worker uses a second core while its
 * main thread composes, talks to Temporal and writes the ledger. Composing stays here: it is
 * cheap, and the ledger needs the Message-ID before the send. A send's onConnection runs here,
 * when the thread reports the message on a connection. If the thread dies with sends in flight,
 * those that may have gone out fail with SMTP_OUTCOME_UNKNOWN; gated sends whose end was not let
 * go fail with SMTP_TEMPORARY (nothing was delivered). The next send starts a new thread.
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
  const { threadHeapMb, ...senderOptions } = options;
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
  }
  const pending = new Map<number, Waiter>();

  /** The thread reports a gated send on a connection: ask onConnection, and answer. */
  const handoff = (worker: Worker, id: number, waiter: Waiter) => {
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

  const start = (): Worker => {
    const entry = threadEntry();
    const worker = new Worker(entry, {
      workerData: senderOptions,
      resourceLimits: { maxOldGenerationSizeMb: threadHeapMb ?? 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.on('message', (reply: SendThreadReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      if ('handoff' in reply) return handoff(worker, reply.id, waiter);
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else if (waiter.hookError !== undefined && reply.error.code === 'SMTP_WITHDRAWN') waiter.reject(waiter.hookError);
      else if (reply.error.code) {
        waiter.reject(new EmailSendError(reply.error.code, reply.error.message, reply.error.details ?? {}));
      } else waiter.reject(new Error(reply.error.message));
    });
    const lost = (why: string) => {
      if (thread === worker) thread = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        const delivered = !waiter.options?.onConnection || waiter.released;
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
      pending.set(id, {
        resolve: (v) => (settled(), resolve(v)),
        reject: (e) => (settled(), reject(e)),
        options: sendOptions,
      });
      worker.postMessage({ ...request, id });
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
