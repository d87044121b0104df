import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../domain/errors.js';
import { alertMessageId, buildAlertEmail } from '../../../../channels/email/index.js';
import { alertInput } from './fixtures.js';

/** Compiles the message exactly as nodemailer would put it on the wire, without any network. */
async function wire(message: ReturnType<typeof buildAlertEmail>): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(message);
  return (info.message as Buffer).toString('utf8');
}

function headerBlock(raw: string): string[] {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
}

describe('buildAlertEmail', () => {
  it('derives the same Message-ID from alert and contact every time, so a retry is recognisable', () => {
    const first = buildAlertEmail(alertInput());
    expect(first.messageId).toBe('<alert.01JALERT0000000000000000AA.90210@bank.example>');
    expect(buildAlertEmail(alertInput())).toEqual(first);
    expect(buildAlertEmail(alertInput({ recipient: { contactId: '90211' } })).messageId).not.toBe(first.messageId);
  });

  it('encodes ids that would break or blur a Message-ID', () => {
    expect(alertMessageId('a.b', 'c', 'x.example')).toBe('<alert.a=2Eb.c@x.example>');
    expect(alertMessageId('a', 'b.c', 'x.example')).toBe('<alert.a.b=2Ec@x.example>');
    expect(alertMessageId('a@<b>', 'c=1', 'x.example')).toBe('<alert.a=40=3Cb=3E.c=3D1@x.example>');
    expect(alertMessageId('a.b', 'c', 'x')).not.toBe(alertMessageId('a', 'b.c', 'x'));
  });

  it('uses messageIdDomain when given', () => {
    const input = alertInput();
    const email = buildAlertEmail({ ...input, sender: { ...input.sender, messageIdDomain: 'mail.bank.example' } });
    expect(email.messageId).toMatch(/@mail\.bank\.example>$/);
  });

  it('carries the Rapport ids, a per-recipient Reply-To and RFC 8058 one-click unsubscribe', () => {
    const email = buildAlertEmail(alertInput());
    expect(email.headers['X-Rapport-Alert-Id']).toBe('01JALERT0000000000000000AA');
    expect(email.headers['X-Rapport-Contact-Id']).toBe('90210');
    expect(email.replyTo).toBe('reply+reply-token.sig3@reply.bank.example');
    expect(email.headers['List-Unsubscribe']).toEqual({
      prepared: true,
      value:
        '<https://rapport.bank.example/u/unsub-token.sig2>, <mailto:unsubscribe+unsub-token.sig2@reply.bank.example?subject=unsubscribe>',
    });
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email.to).toEqual({ name: 'Joe Smith', address: 'joe.smith@customer.example' });
    expect(email.from).toEqual({ name: 'Rapport Alerts', address: 'alerts@bank.example' });
    expect(email.envelope).toBeUndefined();
  });

  it('keeps List-Unsubscribe on one line on the wire, next to List-Unsubscribe-Post', async () => {
    const headers = headerBlock(await wire(buildAlertEmail(alertInput())));
    const index = headers.findIndex((h) => h.startsWith('List-Unsubscribe: '));
    expect(headers[index]).toBe(
      'List-Unsubscribe: <https://rapport.bank.example/u/unsub-token.sig2>, <mailto:unsubscribe+unsub-token.sig2@reply.bank.example?subject=unsubscribe>',
    );
    expect(headers[index + 1]?.startsWith(' ')).toBe(false);
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(headers).toContain('Message-ID: <alert.01JALERT0000000000000000AA.90210@bank.example>');
    expect(headers).toContain('Reply-To: reply+reply-token.sig3@reply.bank.example');
  });

  it('greets the recipient by first name when known, escaped, in the HTML and the text', () => {
    const named = buildAlertEmail(alertInput({ recipient: { firstName: 'Joe <b>' } }));
    expect(named.html).toContain('<p>Hello Joe &lt;b&gt;,</p>');
    expect(named.text).toContain('\n\nHello Joe <b>,\n\nYields moved today.');
    const unknown = buildAlertEmail(alertInput({ recipient: { firstName: null } }));
    expect(unknown.html).not.toContain('Hello');
    expect(unknown.text).not.toContain('Hello');
  });

  it('links every action to {publicUrl}/r/{token}?a=... and shows an unsubscribe link', () => {
    const email = buildAlertEmail(alertInput());
    for (const action of ['interested', 'call-me', 'not-now', 'unsubscribe']) {
      const url = `https://rapport.bank.example/r/resp-token.sig1?a=${action}`;
      expect(email.html).toContain(`href="${url}"`);
      expect(email.text).toContain(url);
    }
    expect(email.html).toMatch(
      /<a href="https:\/\/rapport\.bank\.example\/r\/resp-token\.sig1\?a=unsubscribe"[^>]*>Unsubscribe<\/a>/,
    );
    expect(email.text).toContain('Unsubscribe: https://rapport.bank.example/r/resp-token.sig1?a=unsubscribe');
  });

  it('renders the body from the markdown subset in both parts', () => {
    const email = buildAlertEmail(
      alertInput({ alert: { body: 'Hello **Joe**\n\n- [Report](https://bank.example/r.pdf)\n- *soon*' } }),
    );
    expect(email.html).toContain('<p>Hello <strong>Joe</strong></p>');
    expect(email.html).toContain('<li><a href="https://bank.example/r.pdf">Report</a></li>');
    expect(email.html).toContain('<li><em>soon</em></li>');
    expect(email.text).toContain('Hello Joe\n\n- Report (https://bank.example/r.pdf)\n- soon');
  });

  it('leaves script and HTML in the title and body inert', () => {
    const email = buildAlertEmail(
      alertInput({
        alert: {
          title: '<script>alert(1)</script> "Rates" & <b>more</b>',
          body: '<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) <iframe src="https://evil.example"></iframe>',
        },
      }),
    );
    expect(email.html).not.toMatch(/<script|<img|<iframe|<b>|javascript:alert\(1\)"|href="javascript/i);
    expect(email.html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt; &quot;Rates&quot; &amp; &lt;b&gt;more&lt;/b&gt;',
    );
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('[click](javascript:alert(1))');
    expect(email.subject).toBe('<script>alert(1)</script> "Rates" & <b>more</b>');
  });

  it('never lets CR/LF in the title or a name become a header', async () => {
    const email = buildAlertEmail(
      alertInput({
        alert: { title: 'Rates up\r\nBcc: victim@evil.example\r\n\r\n<h1>body</h1>' },
        recipient: { name: 'Joe\nSmith\r\nX-Injected: 1' },
      }),
    );
    expect(email.subject).toBe('Rates up Bcc: victim@evil.example <h1>body</h1>');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.to.name).toBe('Joe Smith X-Injected: 1');
    const headers = headerBlock(await wire(email));
    expect(headers.some((h) => /^(Bcc|X-Injected):/i.test(h))).toBe(false);
    expect(headers.filter((h) => /^Subject:/.test(h))).toHaveLength(1);
    for (const separator of ['\u2028', '\u0085', '\u0000', '\t']) {
      expect(buildAlertEmail(alertInput({ alert: { title: `a${separator}b` } })).subject).toBe('a b');
    }
  });

  it('adds a VERP return path when a bounce token is given', () => {
    const email = buildAlertEmail(alertInput({ tokens: { bounce: 'bnc.tok' } }));
    expect(email.envelope).toEqual({ from: 'bounce+bnc.tok@reply.bank.example', to: 'joe.smith@customer.example' });
  });

  it.each([
    ['tokens.reply', alertInput({ tokens: { reply: 'has space' } })],
    ['tokens.response', alertInput({ tokens: { response: 'a/b' } })],
    ['tokens.unsubscribe', alertInput({ tokens: { unsubscribe: 'a..b' } })],
    ['tokens.reply', alertInput({ tokens: { reply: 'x'.repeat(59) } })],
    ['alert.title', alertInput({ alert: { title: ' \r\n ' } })],
    ['alert.id', alertInput({ alert: { id: 'a\r\nb' } })],
    ['recipient.contactId', alertInput({ recipient: { contactId: '' } })],
    ['recipient.email', alertInput({ recipient: { email: 'not-an-address' } })],
  ])('rejects bad input at %s with a VALIDATION error', (field, input) => {
    let error: unknown;
    try {
      buildAlertEmail(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION');
    expect((error as DomainError).field).toBe(field);
  });

  it('accepts a reply token right at the 64-character local-part limit', () => {
    expect(buildAlertEmail(alertInput({ tokens: { reply: 'x'.repeat(58) } })).replyTo).toBe(
      `reply+${'x'.repeat(58)}@reply.bank.example`,
    );
  });
});
