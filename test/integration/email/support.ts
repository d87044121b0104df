import nodemailer from 'nodemailer';
import { createEmailSender, type AlertEmailInput, type EmailSender } from '../../../channels/email/index.js';
import type { SmtpCatcher } from '../../../sandbox/smtp/index.js';

export const SENDER = {
  from: 'Rapport Alerts <alerts@bank.example>',
  replyDomain: 'reply.bank.example',
  publicUrl: 'https://rapport.bank.example',
};

export function senderFor(catcher: SmtpCatcher, pool = { maxConnections: 2, maxMessages: 100 }): EmailSender {
  return createEmailSender({
    ...SENDER,
    smtpUrl: catcher.smtpUrl,
    pool,
    timeouts: { connectMs: 2000, greetingMs: 2000 },
  });
}

export function alertFor(i: number, alertId = 'ALERT-1'): Omit<AlertEmailInput, 'sender'> {
  return {
    alert: {
      id: alertId,
      title: `Rate alert ${alertId}`,
      body: 'Yields moved **today**. [Note](https://bank.example/n/1)',
    },
    recipient: { contactId: `c${i}`, email: `customer${i}@customer.example`, name: `Customer ${i}` },
    tokens: { response: `resp${i}.sig`, unsubscribe: `unsub${i}.sig`, reply: `reply${i}.sig` },
  };
}

/** A plain nodemailer transport, for tests of the catcher itself. */
export function plainTransport(catcher: SmtpCatcher, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({
    host: catcher.host,
    port: catcher.smtpPort,
    secure: false,
    ...(auth ? { auth } : {}),
  });
}
