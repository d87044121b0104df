/**
 * The body of the SMTP send thread (see threaded-sender.ts): one pooled nodemailer transport,
 * driven by messages from the thread that composes the mail. Errors cross the thread boundary
 * as plain objects carrying their code, and become EmailSendErrors again on the other side.
 * A gated send's onConnection is a question to the other thread (`handoff`), answered by `proceed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmailSendError } from './send-errors.js';
import { createEmailSender, type EmailSenderOptions, type SendOptions } from './sender.js';
import type { SendThreadReply, SendThreadRequest } from './send-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('send-thread.ts runs only as a worker thread');
const sender = createEmailSender(workerData as EmailSenderOptions);
/** Gated sends on a connection, waiting for the other thread's answer. */
const answers = new Map<number, (go: boolean) => void>();
/** Gated sends not finished yet, by id: `withdraw` aborts them. */
const withdrawals = new Map<number, AbortController>();

const reply = (message: SendThreadReply) => port.postMessage(message);

function gated(id: number): SendOptions {
  const withdrawal = new AbortController();
  withdrawals.set(id, withdrawal);
  return {
    signal: withdrawal.signal,
    onConnection: () =>
      new Promise<boolean>((resolve) => {
        answers.set(id, resolve);
        reply({ id, handoff: true });
      }),
  };
}

port.on('message', (request: SendThreadRequest) => {
  switch (request.op) {
    case 'close':
      sender.close();
      port.close();
      return;
    case 'proceed':
      answers.get(request.id)?.(request.go);
      answers.delete(request.id);
      return;
    case 'withdraw':
      withdrawals.get(request.id)?.abort();
      return;
  }
  const { id } = request;
  const work =
    request.op === 'verify' ? sender.verify() : sender.send(request.message, request.gated ? gated(id) : undefined);
  work
    .finally(() => {
      withdrawals.delete(id);
      answers.delete(id);
    })
    .then(
      (result) => reply({ id, ok: true, result }),
      (error: unknown) =>
        reply({
          id,
          ok: false,
          error:
            error instanceof EmailSendError
              ? { code: error.code, message: error.message, details: error.details }
              : { message: error instanceof Error ? error.message : String(error) },
        }),
    );
});
