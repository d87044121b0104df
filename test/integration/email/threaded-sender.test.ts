import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmailSendError } from '../../../channels/email/index.js';
import { createThreadedEmailSender, type ThreadedEmailSender } from '../../../channels/email/threaded-sender.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { alertFor, SENDER } from './support.js';

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as EmailSendError,
  );

describe('email sender with SMTP on its own thread', () => {
  let catcher: SmtpCatcher;
  let sender: ThreadedEmailSender;
  beforeAll(async () => {
    catcher = await startSmtpCatcher();
    sender = createThreadedEmailSender({
      ...SENDER,
      smtpUrl: catcher.smtpUrl,
      pool: { maxConnections: 2, maxMessages: 100 },
      timeouts: { connectMs: 2000, greetingMs: 2000 },
    });
  });
  afterEach(async () => {
    catcher.faults.reset();
    await catcher.faults.accepting();
    await catcher.clear();
  });
  afterAll(async () => {
    sender?.close();
    await catcher?.close();
  });

  it('delivers 300 alerts exactly once each, with the Message-ID composed on the calling thread', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => sender.send(sender.compose(alertFor(i + 1)))),
    );
    expect(results.every((r) => r.accepted)).toBe(true);
    expect(results[0]?.messageId).toBe('<alert.ALERT-1.c1@bank.example>');
    expect(catcher.count()).toBe(300);
    for (let i = 1; i <= 300; i += 1) expect(catcher.byRecipient(`customer${i}@customer.example`)).toHaveLength(1);
  });

  it('brings SMTP_TEMPORARY across the thread while connections are refused, then delivers', async () => {
    await catcher.faults.refuseConnections(1500);
    const error = await failureOf(sender.send(sender.compose(alertFor(1))));
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error?.code).toBe('SMTP_TEMPORARY');
    await catcher.faults.accepting();
    await expect(sender.send(sender.compose(alertFor(1)))).resolves.toMatchObject({ accepted: true });
  });

  it('reports a hard bounce as a permanent rejection, not an error', async () => {
    catcher.faults.rejectRecipients('customer7@customer.example', 'permanent');
    await expect(sender.send(sender.compose(alertFor(7)))).resolves.toMatchObject({
      accepted: false,
      permanent: true,
    });
  });

  it('fails sends in flight with SMTP_OUTCOME_UNKNOWN when the thread dies, and starts a new one', async () => {
    catcher.faults.setLatency(2000);
    const inFlight = failureOf(sender.send(sender.compose(alertFor(2))));
    await new Promise((r) => setTimeout(r, 300));
    await sender.terminateThread();
    const error = await inFlight;
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error?.code).toBe('SMTP_OUTCOME_UNKNOWN');
    expect(error?.retryable).toBe(false);

    catcher.faults.setLatency(0);
    await expect(sender.send(sender.compose(alertFor(3)))).resolves.toMatchObject({ accepted: true });
  });
});
