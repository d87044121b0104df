import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlack, checkSmsAccount, checkSmtp } from '../../../channels/checks.js';
import { createEmailSender } from '../../../channels/email/sender.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { startSmsStandIn } from '../../../sandbox/sms/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { freePort } from '../../../workflows/temporal/free-port.js';

/** The status endpoint's look at each provider, against the local stand-ins speaking their protocols. */
const BOT = 'xoxb-checks-0000-rapport';
let slack: SlackStandIn;
let sms: Awaited<ReturnType<typeof startSmsStandIn>>;
let smtp: SmtpCatcher;

beforeAll(async () => {
  [slack, sms, smtp] = await Promise.all([startSlackStandIn({ botToken: BOT }), startSmsStandIn(), startSmtpCatcher()]);
});
afterAll(async () => {
  await Promise.all([slack?.close(), sms?.close(), smtp?.close()]);
});

const mailer = (smtpUrl: string) =>
  createEmailSender({ smtpUrl, from: 'alerts@bank.example', replyDomain: 'reply.bank.example', publicUrl: 'http://x' });

describe('SMTP', () => {
  it('a relay that takes a session is fine; one that is down is unreachable', async () => {
    expect(await checkSmtp(mailer(smtp.smtpUrl))).toEqual({ reachable: true, paused: false });
    const closed = `smtp://127.0.0.1:${await freePort()}`;
    expect(await checkSmtp(mailer(closed))).toMatchObject({ reachable: false, paused: false });
  });

  it('a relay greeting with 421 (too many connections) is holding us back: paused', async () => {
    const server: Server = createServer((socket) => socket.end('421 4.7.0 Too many connections, try later\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const found = await checkSmtp(mailer(`smtp://127.0.0.1:${port}`));
      expect(found).toMatchObject({ reachable: true, paused: true });
      expect(found.problem).toContain('421');
    } finally {
      server.close();
    }
  });
});

describe('Slack', () => {
  it('auth.test passes with the bot token; a 429 is a pause until Retry-After; a wrong token is refused', async () => {
    expect(await checkSlack({ botToken: BOT, apiUrl: slack.apiUrl })).toEqual({ reachable: true, paused: false });

    slack.fail({ method: 'auth.test', status: 429, retryAfterSeconds: 30 });
    const limited = await checkSlack({ botToken: BOT, apiUrl: slack.apiUrl });
    expect(limited).toMatchObject({ reachable: true, paused: true });
    expect(Date.parse(limited.pausedUntil!) - Date.now()).toBeGreaterThan(20_000);

    const refused = await checkSlack({ botToken: 'xoxb-not-the-token', apiUrl: slack.apiUrl });
    expect(refused).toMatchObject({ reachable: true, paused: false });
    expect(refused.problem).toContain('invalid_auth');
    expect(JSON.stringify(refused)).not.toContain('xoxb-not-the-token');
  });

  it('nothing listening: unreachable', async () => {
    const found = await checkSlack({ botToken: BOT, apiUrl: `http://127.0.0.1:${await freePort()}/api/` });
    expect(found).toMatchObject({ reachable: false, paused: false });
  });
});

describe('SMS', () => {
  const account = () => ({ apiUrl: sms.apiUrl, accountSid: sms.accountSid, authToken: sms.authToken });

  it('an active account is fine; a suspended one is the provider pausing every text', async () => {
    expect(await checkSmsAccount(account())).toEqual({ reachable: true, paused: false });
    sms.setAccountStatus('suspended');
    try {
      expect(await checkSmsAccount(account())).toMatchObject({
        reachable: true,
        paused: true,
        problem: 'the SMS provider has suspended the account',
      });
    } finally {
      sms.setAccountStatus('active');
    }
  });

  it('wrong credentials are named without echoing them; no provider is unreachable', async () => {
    const wrong = await checkSmsAccount({ ...account(), authToken: 'not-the-token-123' });
    expect(wrong).toMatchObject({ reachable: true, paused: false });
    expect(wrong.problem).toContain('SMS_AUTH_TOKEN');
    expect(JSON.stringify(wrong)).not.toContain('not-the-token-123');
    const none = await checkSmsAccount({ ...account(), apiUrl: `http://127.0.0.1:${await freePort()}/2010-04-01` });
    expect(none).toMatchObject({ reachable: false, paused: false });
  });
});
