import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailSender, EmailSendError, type EmailSender } from '../../../channels/email/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { alertFor, SENDER, senderFor } from './support.js';

function headerLines(raw: Buffer | undefined): string[] {
  const text = raw?.toString('utf8') ?? '';
  return text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
}

async function sendError(promise: Promise<unknown>): Promise<EmailSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmailSendError);
  return error as EmailSendError;
}

describe('email sender through the SMTP catcher', () => {
  let catcher: SmtpCatcher;
  let sender: EmailSender;
  beforeAll(async () => {
    catcher = await startSmtpCatcher();
    sender = senderFor(catcher);
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

  it('verifies the connection', async () => {
    await expect(sender.verify()).resolves.toBe(true);
  });

  it('delivers an alert with its ids, Reply-To and one-line one-click unsubscribe', async () => {
    const result = await sender.send(sender.compose(alertFor(1)));
    expect(result).toMatchObject({ accepted: true, permanent: false, messageId: '<alert.ALERT-1.c1@bank.example>' });
    expect(result.response).toMatch(/^250 /);

    const [caught] = catcher.byRecipient('customer1@customer.example');
    expect(caught).toMatchObject({ alertId: 'ALERT-1', contactId: 'c1', messageId: '<alert.ALERT-1.c1@bank.example>' });
    const headers = headerLines(await catcher.raw(caught?.id ?? ''));
    expect(headers).toContain(
      'List-Unsubscribe: <https://rapport.bank.example/u/unsub1.sig>, <mailto:unsubscribe+unsub1.sig@reply.bank.example?subject=unsubscribe>',
    );
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(headers).toContain('Reply-To: reply+reply1.sig@reply.bank.example');

    const parsed = await catcher.parsed(caught?.id ?? '');
    expect(parsed?.subject).toBe('Rate alert ALERT-1');
    expect(parsed?.html).toContain('<strong>today</strong>');
    expect(parsed?.text).toContain('Interested: https://rapport.bank.example/r/resp1.sig?a=interested');
    expect(parsed?.headers.get('x-rapport-alert-id')).toBe('ALERT-1');
  });

  it('reports a 550 as a permanent failure (hard bounce), not an exception', async () => {
    catcher.faults.rejectRecipients('customer2@customer.example', 'permanent');
    const result = await sender.send(sender.compose(alertFor(2)));
    expect(result).toMatchObject({
      accepted: false,
      permanent: true,
      responseCode: 550,
      messageId: '<alert.ALERT-1.c2@bank.example>',
    });
    expect(result.response).toMatch(/^550 /);
    expect(catcher.count()).toBe(0);
  });

  it('throws SMTP_TEMPORARY on a 451', async () => {
    catcher.faults.rejectRecipients(/customer3@/, 'temporary');
    const error = await sendError(sender.send(sender.compose(alertFor(3))));
    expect(error).toMatchObject({ code: 'SMTP_TEMPORARY', retryable: true, details: { responseCode: 451 } });
  });

  it('throws SMTP_TEMPORARY while connections are refused, and delivers once the server is back', async () => {
    await sender.send(sender.compose(alertFor(40))); // a pooled connection is open when the server goes away
    await catcher.faults.refuseConnections(1500);
    const error = await sendError(sender.send(sender.compose(alertFor(4))));
    expect(error.code).toBe('SMTP_TEMPORARY');
    expect(error.details.transportCode).toMatch(/ECONNREFUSED|ECONNECTION|ECONNRESET/);
    await catcher.faults.accepting();
    await expect(sender.send(sender.compose(alertFor(4)))).resolves.toMatchObject({ accepted: true });
    expect(catcher.recipientCount('customer4@customer.example')).toBe(1);
  });

  it('delivers 1,000 alerts through the pool exactly once each', async () => {
    const pooled = senderFor(catcher, { maxConnections: 5, maxMessages: 100 });
    try {
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => pooled.send(pooled.compose(alertFor(i, 'ALERT-BULK')))),
      );
      expect(results.every((r) => r.accepted)).toBe(true);
      await catcher.waitForCount(1000);
      expect(catcher.count()).toBe(1000);
      expect(catcher.duplicates()).toEqual([]);
      for (let i = 0; i < 1000; i++) {
        expect(catcher.recipientCount(`customer${i}@customer.example`)).toBe(1);
        expect(catcher.messageIdCount(`<alert.ALERT-BULK.c${i}@bank.example>`)).toBe(1);
      }
    } finally {
      pooled.close();
    }
  });

  it('lets the catcher spot a retried send by its deterministic Message-ID', async () => {
    await sender.send(sender.compose(alertFor(5)));
    await sender.send(sender.compose(alertFor(5)));
    expect(catcher.messageIdCount('<alert.ALERT-1.c5@bank.example>')).toBe(2);
    expect(catcher.duplicates()).toEqual([
      expect.objectContaining({ alertId: 'ALERT-1', recipient: 'customer5@customer.example', count: 2 }),
    ]);
  });

  it('signs with DKIM, covering both List-Unsubscribe headers, and keeps List-Unsubscribe on one line', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signing = createEmailSender({
      ...SENDER,
      smtpUrl: catcher.smtpUrl,
      dkim: {
        domainName: 'bank.example',
        keySelector: 'rapport',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    try {
      await signing.send(signing.compose(alertFor(6)));
    } finally {
      signing.close();
    }
    const raw = (await catcher.raw(catcher.messages()[0]?.id ?? ''))?.toString('utf8') ?? '';
    const signature = /^DKIM-Signature: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '';
    expect(signature).toContain('d=bank.example');
    expect(signature.replace(/\s/g, '').toLowerCase()).toMatch(/h=[^;]*list-unsubscribe:list-unsubscribe-post/);
    expect(headerLines(Buffer.from(raw))).toContain(
      'List-Unsubscribe: <https://rapport.bank.example/u/unsub6.sig>, <mailto:unsubscribe+unsub6.sig@reply.bank.example?subject=unsubscribe>',
    );
  });
});

describe('email sender without a server', () => {
  it('fails verify() and send() with SMTP_TEMPORARY, without the password in the message', async () => {
    const catcher = await startSmtpCatcher();
    const port = catcher.smtpPort;
    await catcher.close();
    const sender = createEmailSender({
      ...SENDER,
      smtpUrl: `smtp://user:hunter2-secret@127.0.0.1:${port}`,
      timeouts: { connectMs: 1000, greetingMs: 1000 },
    });
    try {
      expect(sender.target).toBe(`smtp://user:***@127.0.0.1:${port}`);
      const verifyError = await sendError(sender.verify());
      expect(verifyError.code).toBe('SMTP_TEMPORARY');
      const error = await sendError(sender.send(sender.compose(alertFor(7))));
      expect(error).toMatchObject({ code: 'SMTP_TEMPORARY', details: { transportCode: 'ECONNREFUSED' } });
      expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('hunter2');
    } finally {
      sender.close();
    }
  });

  it('rejects a non-SMTP URL and bad settings at construction', () => {
    expect(() => createEmailSender({ ...SENDER, smtpUrl: 'http://mail.example' })).toThrow(/smtpUrl/);
    expect(() => createEmailSender({ ...SENDER, smtpUrl: 'smtp://mail.example', publicUrl: 'ftp://x' })).toThrow(
      /publicUrl/,
    );
    expect(() => createEmailSender({ ...SENDER, smtpUrl: 'smtp://mail.example', replyDomain: 'not a domain' })).toThrow(
      /replyDomain/,
    );
  });
});
