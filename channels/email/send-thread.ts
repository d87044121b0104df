/**
 * The body of the SMTP send thread (see threaded-sender.ts): one pooled nodemailer transport,
 * driven by messages from the thread that composes the mail. Errors cross the thread boundary
 * as plain objects carrying their code, and become EmailSendErrors again on the other side.
 * A gated send's onConnection is a question to the other thread (`handoff`), answered by `proceed`;
 * or, for a send that names its ledger row when this thread has a ledger connection, this thread
 * claims the row itself (the answer says how that went) and writes its 'sent' outcome too.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmailSendError } from './send-errors.js';
import { openSendThreadLedger, type SendThreadLedger } from './send-thread-ledger.js';
import { createEmailSender, type EmailSenderOptions, type SendOptions, type SendResult } from './sender.js';
import type {
  SendThreadClaim,
  SendThreadData,
  SendThreadError,
  SendThreadReply,
  SendThreadRequest,
  SendThreadRow,
} from './send-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('send-thread.ts runs only as a worker thread');
const data = workerData as SendThreadData<EmailSenderOptions>;
const sender = createEmailSender(data.sender);
/**
 * The ledger connection, opened as the thread starts (the first claims wait for it). If it cannot
 * be opened, rows are claimed by the other thread (handoff), as without one: a send never fails
 * for its sake.
 */
const opening = data.ledger ? openSendThreadLedger(data.ledger).catch(() => undefined) : undefined;
let ledger: SendThreadLedger | undefined;
void opening?.then((opened) => (ledger = opened));
/** Gated sends on a connection, waiting for the other thread's answer. */
const answers = new Map<number, (go: boolean) => void>();
/** Gated sends not finished yet, by id: `withdraw` aborts them. */
const withdrawals = new Map<number, AbortController>();

const reply = (message: SendThreadReply) => port.postMessage(message);

const crossing = (error: unknown): SendThreadError =>
  error instanceof EmailSendError
    ? { code: error.code, message: error.message, details: error.details }
    : { message: error instanceof Error ? error.message : String(error) };

/** The other thread's answer to "this send is on a connection". */
const askOtherThread = (id: number) =>
  new Promise<boolean>((resolve) => {
    answers.set(id, resolve);
    reply({ id, handoff: true });
  });

/** The row claimed here; `claim` keeps the answer for the outcome and for the other thread. */
const claimHere = (open: SendThreadLedger, row: SendThreadRow, claim: { state?: SendThreadClaim }) =>
  open.claim(row.alertId, row.contactId).then(
    (held) => {
      claim.state = held ? 'held' : 'refused';
      return held;
    },
    (error: unknown) => {
      claim.state = 'failed';
      throw error;
    },
  );

function gated(id: number, row: SendThreadRow | undefined, claim: { state?: SendThreadClaim }): SendOptions {
  const withdrawal = new AbortController();
  withdrawals.set(id, withdrawal);
  return {
    signal: withdrawal.signal,
    onConnection: () => {
      if (!row || !opening) return askOtherThread(id);
      if (ledger) return claimHere(ledger, row, claim);
      return opening.then((opened) => (opened ? claimHere(opened, row, claim) : askOtherThread(id)));
    },
  };
}

/** An accepted message whose row was claimed here: its outcome written here too (with the next claim). */
async function recorded(
  result: SendResult,
  row: SendThreadRow | undefined,
  held: boolean,
  messageId: string,
): Promise<SendResult> {
  if (!ledger || !row?.recordSent || !held || !result.accepted) return result;
  try {
    await ledger.recordSent(row.alertId, row.contactId, messageId);
    return { ...result, recorded: true };
  } catch {
    // Not written: the other thread records it as it would without this thread's ledger.
    return result;
  }
}

port.on('message', (request: SendThreadRequest) => {
  switch (request.op) {
    case 'close':
      sender.close();
      port.close();
      void opening?.then(() => ledger?.close());
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
  let work: Promise<SendResult | true>;
  const claim: { state?: SendThreadClaim } = {};
  if (request.op === 'verify') work = sender.verify();
  else {
    const { message, row } = request;
    const messageId = typeof message.messageId === 'string' ? message.messageId : '';
    work = sender
      .send(message, request.gated ? gated(id, row, claim) : undefined)
      .then((result) => recorded(result, row, claim.state === 'held', messageId || result.messageId));
  }
  work
    .finally(() => {
      withdrawals.delete(id);
      answers.delete(id);
    })
    .then(
      (result) => reply({ id, ok: true, result, ...(claim.state ? { claim: claim.state } : {}) }),
      (error: unknown) =>
        reply({ id, ok: false, error: crossing(error), ...(claim.state ? { claim: claim.state } : {}) }),
    );
});
