import { describe, expect, it } from 'vitest';
import { emailHeadersJson, htmlToText, noteHtml } from '../../../../crm/hubspot/rich-text.js';
import { partyFrom } from '../../../../domain/email-party.js';

describe('noteHtml', () => {
  it('escapes markup, keeps line breaks and paragraphs, puts the title first in bold', () => {
    expect(noteHtml('A & B', 'x < y\r\nnext\n\n\nlast', 1000)).toBe(
      '<p><strong>A &amp; B</strong></p><p>x &lt; y<br>next</p><p>last</p>',
    );
    expect(noteHtml(null, "it's", 1000)).toBe('<p>it&#39;s</p>');
  });

  it('cuts over-long text without splitting an entity or a tag, and closes the paragraph', () => {
    const html = noteHtml(null, '&'.repeat(100), 50);
    expect(html.length).toBeLessThanOrEqual(50);
    expect(html).toMatch(/^<p>(&amp;)+…<\/p>$/);
    const breaks = noteHtml(null, 'a\n'.repeat(100), 40);
    expect(breaks).toMatch(/^<p>(a<br>)*a?…<\/p>$/);
  });
});

describe('htmlToText', () => {
  it('reads HubSpot rich text back as the text Rapport wrote', () => {
    const text = 'Call <me> & "you"\nline\n\npara';
    expect(htmlToText(noteHtml('T', text, 10_000))).toBe(`T\n\n${text}`);
  });

  it('reads notes written in HubSpot’s editor and leaves plain text alone', () => {
    expect(htmlToText('<div dir="auto"><p style="margin:0">Hi&nbsp;there&#33; &#x263A;</p><p>Bye</p></div>')).toBe(
      'Hi there! ☺\n\nBye',
    );
    expect(htmlToText('plain\ntext  kept')).toBe('plain\ntext  kept');
    expect(htmlToText('&bogus; &#0;')).toBe('&bogus; &#0;');
  });
});

describe('email headers', () => {
  it('MAIL_FROM names split into first and last names; a bare address is just the address', () => {
    expect(partyFrom('Rapport Alerts <alerts@rapport.example>')).toEqual({
      email: 'alerts@rapport.example',
      firstName: 'Rapport',
      lastName: 'Alerts',
    });
    expect(partyFrom('"Bank" <a@b.example>')).toEqual({ email: 'a@b.example', firstName: 'Bank' });
    expect(partyFrom(' a@b.example ')).toEqual({ email: 'a@b.example' });
  });

  it('hs_email_headers is HubSpot’s JSON: from, to, cc, bcc; empty names left out', () => {
    expect(
      JSON.parse(emailHeadersJson({ from: { email: 'a@b.example', firstName: null }, to: [{ email: 'c@d.example' }] })),
    ).toEqual({ from: { email: 'a@b.example' }, to: [{ email: 'c@d.example' }], cc: [], bcc: [] });
  });
});
