import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../../../../sandbox/smtp/encoded-words.js';
import { scanHeaders } from '../../../../sandbox/smtp/header-scan.js';

const raw = (lines: string[], body = 'Body: not a header\r\nSubject: also not') =>
  Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);

describe('catcher header scan', () => {
  it('reads the headers the outbox and counters need, unfolding and decoding them', () => {
    const headers = scanHeaders(
      raw([
        'X-Rapport-Alert-ID: A1',
        'x-rapport-contact-id: 42',
        'From: =?UTF-8?Q?Rapport_=C3=9Cber?= <alerts@bank.example>',
        'To: joe@customer.example',
        'Subject: =?UTF-8?Q?Hi_=3Cb=3Ethere=3C/b=3E_=C3=BCn=C3=AFcod?=',
        ' =?UTF-8?Q?e?= and more',
        'Message-ID: <alert.A1.42@bank.example>',
        'Date: Tue, 24 Nov 2026 23:13:03 +0000',
        'Content-Type: multipart/alternative;',
        ' boundary="x"',
      ]),
    );
    expect(headers).toEqual({
      alertId: 'A1',
      contactId: '42',
      from: 'Rapport Über <alerts@bank.example>',
      to: 'joe@customer.example',
      subject: 'Hi <b>there</b> ünïcode and more',
      messageId: '<alert.A1.42@bank.example>',
      date: 'Tue, 24 Nov 2026 23:13:03 +0000',
    });
  });

  it('never reads the body and keeps the first of repeated headers', () => {
    const headers = scanHeaders(raw(['Subject: first', 'Subject: second']));
    expect(headers.subject).toBe('first');
    expect(headers.messageId).toBeUndefined();
    expect(scanHeaders(Buffer.from('Subject: bare LF\n\nSubject: body')).subject).toBe('bare LF');
  });

  it('decodes B and Q words, and leaves unknown charsets as sent', () => {
    expect(decodeEncodedWords('=?utf-8?B?w7xiZXI=?= =?ISO-8859-1?Q?caf=E9?=')).toBe('übercafé');
    expect(decodeEncodedWords('=?x-unknown?Q?abc?=')).toBe('=?x-unknown?Q?abc?=');
    expect(decodeEncodedWords('plain =? text')).toBe('plain =? text');
  });
});
