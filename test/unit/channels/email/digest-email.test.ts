import { describe, expect, it } from 'vitest';
import { alertEmailMime } from '../../../../channels/email/alert-mime.js';
import {
  buildDigestEmail,
  DIGEST_ALERTS_HEADER,
  type DigestEmailInput,
} from '../../../../channels/email/digest-email.js';

const sender = {
  from: 'Rapport <alerts@bank.example>',
  replyDomain: 'reply.bank.example',
  publicUrl: 'https://rapport.example',
};
const item = (n: number, over: Partial<DigestEmailInput['items'][number]> = {}) => ({
  alertId: `alr_${n}`,
  title: `Alert ${n}`,
  body: `Body of alert **${n}**`,
  tokens: { response: `resp${n}`, unsubscribe: `unsub${n}`, reply: `reply${n}` },
  ...over,
});
const input = (items: DigestEmailInput['items'], over: Partial<DigestEmailInput> = {}): DigestEmailInput => ({
  sender,
  digestKey: 'digest-42',
  digestId: 42,
  recipient: {
    contactId: 'c1',
    email: 'joe@acme.example',
    firstName: 'Joe',
    preferencesUrl: 'https://rapport.example/p/tok',
  },
  items,
  bounceToken: 'bounce3',
  ...over,
});

describe('buildDigestEmail', () => {
  it('lists every alert with its own answer links, reply address and unsubscribe, then the preferences link', () => {
    const email = buildDigestEmail(input([item(1), item(2), item(3)]));
    expect(email.subject).toBe('Your digest: 3 updates, latest "Alert 3"');
    for (const n of [1, 2, 3]) {
      expect(email.html).toContain(`data-alert-id="alr_${n}"`);
      expect(email.html).toContain(`<h2 style="font-size:17px;margin:0 0 8px">Alert ${n}</h2>`);
      expect(email.html).toContain(`https://rapport.example/r/resp${n}?a=interested`);
      expect(email.html).toContain(`https://rapport.example/r/resp${n}?a=unsubscribe`);
      expect(email.html).toContain(`mailto:reply+reply${n}@reply.bank.example`);
      expect(email.text).toContain(`Reply about this: reply+reply${n}@reply.bank.example`);
    }
    // The order is the caller's (oldest first).
    expect(email.html.indexOf('alr_1')).toBeLessThan(email.html.indexOf('alr_3'));
    expect(email.html).toContain('href="https://rapport.example/p/tok"');
    expect(email.text).toContain('Your preferences: https://rapport.example/p/tok');
    // Reply-To, List-Unsubscribe and the bounce address name the newest alert.
    expect(email.replyTo).toBe('reply+reply3@reply.bank.example');
    expect(email.headers['List-Unsubscribe'].value).toContain('https://rapport.example/u/unsub3');
    expect(email.envelope?.from).toBe('bounce+bounce3@reply.bank.example');
    expect((email.headers as Record<string, unknown>)[DIGEST_ALERTS_HEADER]).toBe('alr_1, alr_2, alr_3');
    expect(email.headers['X-Rapport-Alert-Id']).toBe('digest-42');
    expect(email.messageId).toBe('<digest.42.c1@bank.example>');
    expect(email.html).toContain('<p>Hello Joe,</p>');
  });

  it('escapes every value from outside: titles, bodies, names, links', () => {
    const hostile = '<script>alert(1)</script>"\'&';
    const email = buildDigestEmail(
      input(
        [
          item(1, {
            title: hostile,
            body: `${hostile}\n\n[click](javascript:alert(1))`,
            alertId: 'alr_"x',
            tokens: { response: 'resp1', unsubscribe: 'u', reply: 'p' },
          }),
        ],
        { recipient: { contactId: 'c1', email: 'joe@acme.example', firstName: hostile } },
      ),
    );
    expect(email.html).not.toContain('<script>');
    // The markdown link with a javascript: URL stays text, never a link.
    expect(email.html).not.toMatch(/href="javascript:/i);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(email.html).toContain('data-alert-id="alr_&quot;x"');
    expect(email.html).toContain('/r/resp1?a=interested');
    // The subject stays one line, the MIME writer takes it.
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(alertEmailMime(email, new Date('2026-12-10T08:30:00Z'))).toMatch(/^X-Rapport-Digest-Alerts: /m);
  });

  it('a long body shows an excerpt; one item says so in the subject; no items is refused', () => {
    const long = buildDigestEmail(input([item(1, { body: 'word '.repeat(1000) })]));
    expect(long.subject).toBe('Your digest: Alert 1');
    expect(long.text).toContain('…');
    expect(long.text.length).toBeLessThan(2_500);
    expect(() => buildDigestEmail(input([]))).toThrow(/no items/);
    // A token too long for the unsubscribe+<token>@domain local part is refused, as in an alert email.
    expect(() =>
      buildDigestEmail(input([item(1, { tokens: { response: 'r', unsubscribe: 'u'.repeat(60), reply: 'p' } })])),
    ).toThrow(/items\.0\.tokens/);
  });
});
