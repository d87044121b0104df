/**
 * The body of the SMTP send thread (see threaded-sender.ts): one pooled nodemailer transport,
 * driven by messages from the thread that composes the mail. Errors cross the thread boundary
 * as plain objects carrying their code, and become EmailSendErrors again on the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmailSendError } from './send-errors.js';
import { createEmailSender, type EmailSenderOptions } from './sender.js';
import type { SendThreadReply, SendThreadRequest } from './send-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('send-thread.ts runs only as a worker thread');
const sender = createEmailSender(workerData as EmailSenderOptions);

port.on('message', (request: SendThreadRequest) => {
  if (request.op === 'close') {
    sender.close();
    port.close();
    return;
  }
  const work = request.op === 'verify' ? sender.verify() : sender.send(request.message);
  work.then(
    (result) => port.postMessage({ id: request.id, ok: true, result } satisfies SendThreadReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        error:
          error instanceof EmailSendError
            ? { code: error.code, message: error.message, details: error.details }
            : { message: error instanceof Error ? error.message : String(error) },
      } satisfies SendThreadReply),
  );
});
