/**
 * The bare baseline of bench:dispatch, in its own process like the worker: a nodemailer pooled
 * transport (the same pool settings as Rapport's sender) sending the same messages, built with
 * the same buildAlertEmail and signed tokens, to the same catcher, with a bounded number in flight.
 * Input: BENCH_BARE (JSON) and the rows file it names. IPC: {ready}, then {done, sent, failed}.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { buildAlertEmail } from '../../channels/email/alert-email.js';
import { alertEmailRaw } from '../../channels/email/alert-mime.js';
import { signToken } from '../../domain/broadcast/signed-token.js';

interface BareConfig {
  smtpUrl: string;
  rowsFile: string;
  alert: { id: string; title: string; body: string };
  sender: { from: string; replyDomain: string; publicUrl: string };
  secret: string;
  pool: { maxConnections: number; maxMessages: number };
  inFlight: number;
  /** true: nodemailer gets each message finished by alertEmailRaw (its `raw` option), as Rapport sends it. */
  raw?: boolean;
}

const config = JSON.parse(process.env.BENCH_BARE ?? '{}') as BareConfig;
const rows = JSON.parse(readFileSync(config.rowsFile, 'utf8')) as {
  contactId: string;
  address: string;
  token: string;
}[];
const transport = nodemailer.createTransport({
  url: config.smtpUrl,
  pool: true,
  maxConnections: config.pool.maxConnections,
  maxMessages: config.pool.maxMessages,
  logger: false,
});

await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.({ ready: true });
});

let next = 0;
let sent = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: config.inFlight }, async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const sign = (purpose: 'response' | 'reply' | 'unsubscribe' | 'bounce') =>
        signToken(config.secret, purpose, row.token);
      const message = buildAlertEmail({
        sender: config.sender,
        alert: config.alert,
        recipient: { contactId: row.contactId, email: row.address },
        tokens: {
          response: sign('response'),
          unsubscribe: sign('unsubscribe'),
          reply: sign('reply'),
          bounce: sign('bounce'),
        },
      });
      try {
        const info = await transport.sendMail((config.raw && alertEmailRaw(message, new Date())) || message);
        if ((info.rejected ?? []).length === 0) sent += 1;
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  }),
);
transport.close();
const usage = process.resourceUsage();
process.send?.({
  done: true,
  sent,
  failed,
  maxRssKb: usage.maxRSS,
  cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
});
process.disconnect?.();
