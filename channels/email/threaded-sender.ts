import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { buildAlertEmail } from './alert-email.js';
import { EmailSendError } from './send-errors.js';
import type { SendThreadReply, SendThreadRequest } from './send-thread-protocol.js';
import { createEmailSender, type EmailSender, type EmailSenderOptions, type SendResult } from './sender.js';
import { redactSmtpUrl } from './smtp-url.js';

export interface ThreadedEmailSenderOptions extends EmailSenderOptions {
  /** Heap bound of the send thread: its garbage never grows the worker's memory beyond this. */
  threadHeapMb?: number;
}

/**
 * An EmailSender whose SMTP side (nodemailer's MIME encoding, streams and sockets, most of the
 * CPU a send costs) runs on its own thread, so a dispatching worker uses a second core while its
 * main thread composes, talks to Temporal and writes the ledger. Composing stays here: it is
 * cheap, and the ledger needs the Message-ID before the send. If the thread dies with sends in
 * flight, those sends fail with SMTP_OUTCOME_UNKNOWN (they may have gone out) and the next send
 * starts a new thread.
 */
export interface ThreadedEmailSender extends EmailSender {
  /** Terminates the send thread at once, sends in flight included (what a crash of the thread does). */
  terminateThread(): Promise<void>;
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
  const pending = new Map<number, { resolve: (v: SendResult | true) => void; reject: (e: unknown) => void }>();

  const start = (): Worker => {
    const entry = threadEntry();
    const worker = new Worker(entry, {
      workerData: senderOptions,
      resourceLimits: { maxOldGenerationSizeMb: threadHeapMb ?? 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.on('message', (reply: SendThreadReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else if (reply.error.code) {
        waiter.reject(new EmailSendError(reply.error.code, reply.error.message, reply.error.details ?? {}));
      } else waiter.reject(new Error(reply.error.message));
    });
    const lost = (why: string) => {
      if (thread === worker) thread = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new EmailSendError('SMTP_OUTCOME_UNKNOWN', `the SMTP send thread stopped (${why})`, {}));
      }
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit ${code}`));
    // Idle, the thread must not keep the process alive.
    worker.unref();
    return worker;
  };

  const ask = (request: WithoutId<SendThreadRequest>) =>
    new Promise<SendResult | true>((resolve, reject) => {
      thread ??= start();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      thread.postMessage({ ...request, id });
    });

  return {
    target: redactSmtpUrl(options.smtpUrl),
    compose: (input) => buildAlertEmail({ ...input, sender }),
    send: async (message) => (await ask({ op: 'send', message })) as SendResult,
    verify: async () => (await ask({ op: 'verify' })) as true,
    close() {
      thread?.postMessage({ id: 0, op: 'close' } satisfies SendThreadRequest);
      thread = undefined;
    },
    async terminateThread() {
      await thread?.terminate();
    },
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
