import { describe, expect, it } from 'vitest';
import type { CaughtMessage } from '../../../../sandbox/smtp/caught-message.js';
import { listPage, messagePage } from '../../../../sandbox/smtp/outbox-pages.js';

const evil: CaughtMessage = {
  id: '01M0000000000000000000EVIL',
  receivedAt: '2026-11-24T00:00:00.000Z',
  envelopeFrom: 'x@evil.example',
  recipients: ['joe@customer.example'],
  messageId: '<"><script>alert(3)</script>@evil.example>',
  alertId: '<img src=x onerror=alert(4)>',
  subject: '<script>alert(1)</script>',
  from: '"<img src=x onerror=alert(2)>" <x@evil.example>',
  to: 'joe@customer.example',
  size: 1,
};

describe('outbox pages', () => {
  it('escape everything that came in a message', () => {
    const list = listPage({
      base: '/outbox',
      to: '"><script>x</script>',
      limit: 50,
      offset: 0,
      total: 1,
      count: 1,
      duplicates: 0,
      messages: [evil],
    });
    const view = messagePage('/outbox', evil, undefined, undefined);
    for (const html of [list, view]) {
      expect(html).not.toMatch(/<script|<img/i);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(list).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(list).toContain('href="/outbox/messages/01M0000000000000000000EVIL"');
  });

  it('shows an HTML body only inside a sandboxed srcdoc iframe', () => {
    const parsed = {
      html: '<p onclick="x">hi</p><script>alert(5)</script>" onload="alert(6)',
      text: 'hi',
      headerLines: [{ key: 'subject', line: 'Subject: <script>alert(7)</script>' }],
    } as unknown as Parameters<typeof messagePage>[2];
    const view = messagePage('', evil, parsed, Buffer.from('Subject: <script>alert(8)</script>'));
    expect(view).toMatch(
      /<iframe sandbox="" [^>]*srcdoc="&lt;p onclick=&quot;x&quot;&gt;hi&lt;\/p&gt;&lt;script&gt;alert\(5\)&lt;\/script&gt;&quot; onload=&quot;alert\(6\)"/,
    );
    expect(view).not.toMatch(/<script|<p onclick/i);
    expect(view).toContain('Subject: &lt;script&gt;alert(7)&lt;/script&gt;');
  });
});
