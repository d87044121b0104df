/**
 * A send's onConnection (SendOptions): asked when the SMTP pool hands the message to a
 * connection, never while it queues; the message's end waits for the answer; false or an aborted
 * signal withdraws it with nothing delivered; a connection lost after the end went out leaves the
 * outcome unknown (it may have been delivered), not temporary (which would mean: send again). The same through the send thread, where a thread
 * that dies before the answer fails the send as temporary (nothing left), after it as unknown.
 * Real parts: nodemailer's pool (one connection) and the SMTP catcher, answering each message
 * after 150 ms.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmailSendError, type EmailSender } from '../../../channels/email/index.js';
import { createThreadedEmailSender, type ThreadedEmailSender } from '../../../channels/email/threaded-sender.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { alertFor, SENDER, senderFor } from './support.js';

const LATENCY_MS = 150;
const ONE_CONNECTION = { maxConnections: 1, maxMessages: 100 };

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let catcher: SmtpCatcher;
beforeAll(async () => {
  catcher = await startSmtpCatcher();
});
afterAll(async () => {
  await catcher?.close();
});

describe.each([
  ['in this thread', () => senderFor(catcher, ONE_CONNECTION)],
  [
    'on its own thread',
    () =>
      createThreadedEmailSender({
        ...SENDER,
        smtpUrl: catcher.smtpUrl,
        pool: ONE_CONNECTION,
        timeouts: { connectMs: 2000, greetingMs: 2000 },
      }),
  ],
])('a gated send, %s', (_, make: () => EmailSender) => {
  let sender: EmailSender;
  beforeAll(() => {
    sender = make();
  });
  afterEach(async () => {
    catcher.faults.reset();
    await catcher.faults.accepting();
    await catcher.clear();
  });
  afterAll(() => {
    sender?.close();
  });

  it('asks onConnection only when the connection takes the message, after the one before was delivered', async () => {
    catcher.faults.setLatency(LATENCY_MS);
    const asked: { i: number; delivered: number }[] = [];
    const sends = [1, 2, 3].map((i) =>
      sender.send(sender.compose(alertFor(i)), {
        onConnection: async () => {
          asked.push({ i, delivered: catcher.count() });
          return true;
        },
      }),
    );
    // The first goes to the connection as soon as it is open; the others wait while it is answered.
    await vi.waitFor(() => expect(asked).toHaveLength(1), { timeout: 10_000 });
    await sleep(LATENCY_MS / 2);
    expect(asked.map((a) => a.i)).toEqual([1]);
    const results = await Promise.all(sends);
    expect(results.every((r) => r.accepted)).toBe(true);
    expect(asked).toEqual([
      { i: 1, delivered: 0 },
      { i: 2, delivered: 1 },
      { i: 3, delivered: 2 },
    ]);
    expect(catcher.count()).toBe(3);
  });

  it("holds the message's end until onConnection answers", async () => {
    let answer!: (go: boolean) => void;
    const sent = sender.send(sender.compose(alertFor(4)), {
      onConnection: () => new Promise<boolean>((resolve) => (answer = resolve)),
    });
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'), { timeout: 10_000 });
    try {
      await sleep(300);
      expect(catcher.count()).toBe(0);
    } finally {
      answer(true);
    }
    await expect(sent).resolves.toMatchObject({ accepted: true });
    expect(catcher.byRecipient('customer4@customer.example')).toHaveLength(1);
  });

  it('withdraws the message when onConnection answers false or fails: nothing arrives, the pool goes on', async () => {
    const refused = await failureOf(sender.send(sender.compose(alertFor(5)), { onConnection: async () => false }));
    expect(refused).toBeInstanceOf(EmailSendError);
    expect(refused).toMatchObject({ code: 'SMTP_WITHDRAWN', retryable: false });
    const broken = new Error('ledger unreachable');
    expect(
      await failureOf(
        sender.send(sender.compose(alertFor(6)), {
          onConnection: async () => {
            throw broken;
          },
        }),
      ),
    ).toBe(broken);
    await expect(sender.send(sender.compose(alertFor(7)))).resolves.toMatchObject({ accepted: true });
    await sleep(200);
    expect(catcher.byRecipient('customer5@customer.example')).toHaveLength(0);
    expect(catcher.byRecipient('customer6@customer.example')).toHaveLength(0);
    expect(catcher.count()).toBe(1);
  });

  it('reports a connection lost after the end went out as an unknown outcome, not as temporary', async () => {
    catcher.faults.setLatency(1000);
    let answered = false;
    const sent = failureOf(
      sender.send(sender.compose(alertFor(13)), {
        onConnection: async () => {
          answered = true;
          return true;
        },
      }),
    );
    await vi.waitFor(() => expect(answered).toBe(true), { timeout: 10_000 });
    await sleep(300);
    // The server has the whole message and drops the connection before its answer.
    await catcher.faults.refuseConnections(500);
    expect(await sent).toMatchObject({ code: 'SMTP_OUTCOME_UNKNOWN', retryable: false });
    await catcher.faults.accepting();
  });

  it('withdraws a message still queued when its signal aborts, without asking onConnection', async () => {
    catcher.faults.setLatency(LATENCY_MS * 2);
    const asked: number[] = [];
    const onConnection = (i: number) => async () => {
      asked.push(i);
      return true;
    };
    const first = sender.send(sender.compose(alertFor(8)), { onConnection: onConnection(8) });
    const withdrawal = new AbortController();
    const queued = failureOf(
      sender.send(sender.compose(alertFor(9)), { onConnection: onConnection(9), signal: withdrawal.signal }),
    );
    await sleep(LATENCY_MS / 2);
    withdrawal.abort();
    expect(await queued).toMatchObject({ code: 'SMTP_WITHDRAWN' });
    await expect(first).resolves.toMatchObject({ accepted: true });
    await sleep(LATENCY_MS * 3);
    expect(asked).toEqual([8]);
    expect(catcher.byRecipient('customer9@customer.example')).toHaveLength(0);
  });
});

describe('a gated send when the send thread dies', () => {
  let sender: ThreadedEmailSender;
  beforeAll(() => {
    sender = createThreadedEmailSender({
      ...SENDER,
      smtpUrl: catcher.smtpUrl,
      pool: ONE_CONNECTION,
      timeouts: { connectMs: 2000, greetingMs: 2000 },
    });
  });
  afterEach(async () => {
    catcher.faults.reset();
    await catcher.clear();
  });
  afterAll(() => {
    sender?.close();
  });

  it('fails as temporary while its end was not let go, and as unknown once it was', async () => {
    catcher.faults.setLatency(2000);
    let asked = 0;
    const onConnection = async () => (asked++, true);
    const letGo = failureOf(sender.send(sender.compose(alertFor(10)), { onConnection }));
    const queued = failureOf(sender.send(sender.compose(alertFor(11)), { onConnection }));
    // A thread starting on a loaded machine can take a while to reach the connection: wait for it.
    await vi.waitFor(() => expect(asked).toBe(1), { timeout: 10_000 });
    await sleep(100);
    await sender.terminateThread();
    expect(await letGo).toMatchObject({ code: 'SMTP_OUTCOME_UNKNOWN' });
    expect(await queued).toMatchObject({ code: 'SMTP_TEMPORARY', retryable: true });

    catcher.faults.setLatency(0);
    await expect(sender.send(sender.compose(alertFor(12)))).resolves.toMatchObject({ accepted: true });
  });
});
