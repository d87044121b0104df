import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { buildAlertEmail, type AlertEmail } from '../../../../channels/email/index.js';
import { alertEmailMime } from '../../../../channels/email/alert-mime.js';
import { alertInput } from './fixtures.js';

const DATE = new Date('2026-11-25T09:30:00Z');

/** What nodemailer's own composer puts on the wire for the same message. */
async function composed(message: AlertEmail): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail({ ...message, date: DATE });
  return (info.message as Buffer).toString('utf8');
}

function written(message: AlertEmail): string {
  const raw = alertEmailMime(message, DATE);
  if (raw === undefined) throw new Error('alertEmailMime declined the message');
  return raw;
}

/** What a mail client shows: the parsed fields both writers must agree on. */
function seen(mail: ParsedMail) {
  const address = (value: ParsedMail['to']) =>
    (Array.isArray(value) ? value : value ? [value] : []).map((v) => v.value);
  return {
    subject: mail.subject,
    from: address(mail.from),
    to: address(mail.to),
    replyTo: address(mail.replyTo),
    messageId: mail.messageId,
    date: mail.date?.toISOString(),
    text: mail.text,
    html: mail.html,
    alertId: mail.headers.get('x-rapport-alert-id'),
    contactId: mail.headers.get('x-rapport-contact-id'),
    listUnsubscribe: mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line,
    listUnsubscribePost: mail.headers.get('list-unsubscribe-post'),
  };
}

async function expectSameAsNodemailer(message: AlertEmail) {
  const ours = await simpleParser(written(message));
  const theirs = await simpleParser(await composed(message));
  expect(seen(ours)).toEqual(seen(theirs));
  return ours;
}

describe('alertEmailMime', () => {
  it('reads in a mail client exactly like the message nodemailer composes', async () => {
    const mail = await expectSameAsNodemailer(buildAlertEmail(alertInput()));
    expect(mail.subject).toBe('Rate alert: 10y yields up 20bp');
    expect(mail.text).toContain('https://rapport.bank.example/r/resp-token.sig1?a=interested');
    expect(mail.html).toContain('<strong>today</strong>');
  });

  it('agrees for non-ASCII titles, names and bodies, long titles and long lines', async () => {
    const long =
      'Zinsen steigen – Festgeld über 12 Monate jetzt 3,10 % p.a. für Bestandskunden und Neukunden gleichermaßen';
    const cases = [
      alertInput({ alert: { title: long, body: `${long}\n\n- ${'x'.repeat(300)}\n- 東京 ✓` } }),
      alertInput({
        alert: { title: '利上げのお知らせ：定期預金の金利が上がります' },
        recipient: { name: 'Zoë "Z" O’Brien' },
      }),
      alertInput({ recipient: { name: 'Smith, Joe' } }),
      alertInput({ recipient: { name: undefined } }),
    ];
    for (const input of cases) await expectSameAsNodemailer(buildAlertEmail(input));
  });

  it('keeps HTML and script in the title and body inert, as in the composed message', async () => {
    const mail = await expectSameAsNodemailer(
      buildAlertEmail(
        alertInput({ alert: { title: '<script>alert(1)</script>', body: '<img src=x onerror=alert(1)>' } }),
      ),
    );
    expect(mail.html).not.toMatch(/<script|<img/);
  });

  it('never turns CR/LF in the title into a header of its own', async () => {
    const email = buildAlertEmail(alertInput());
    const raw = written({ ...email, subject: 'Rates\r\nBcc: everyone@evil.example\nX-Injected: 1' });
    const headerLines = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    expect(headerLines.filter((l) => /^(Bcc|X-Injected):/i.test(l))).toEqual([]);
    expect((await simpleParser(raw)).subject).toBe('Rates Bcc: everyone@evil.example X-Injected: 1');
  });

  it('writes List-Unsubscribe on one line and lines no longer than SMTP allows', () => {
    const raw = written(buildAlertEmail(alertInput({ alert: { body: 'y'.repeat(5000) } })));
    expect(raw).toContain(
      '\r\nList-Unsubscribe: <https://rapport.bank.example/u/unsub-token.sig2>, <mailto:unsubscribe+unsub-token.sig2@reply.bank.example?subject=unsubscribe>\r\n',
    );
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(Math.max(...raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
  });

  it('leaves internationalised addresses to nodemailer', () => {
    const email = buildAlertEmail(alertInput());
    expect(alertEmailMime({ ...email, to: { address: 'jörg@müller.example' } }, DATE)).toBeUndefined();
    expect(alertEmailMime({ ...email, replyTo: 'reply+x@bücher.example' }, DATE)).toBeUndefined();
  });
});
