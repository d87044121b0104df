import { encodeWord, encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { AlertEmail, Mailbox } from './alert-email.js';

/**
 * The alert email as one RFC 5322 message, written directly instead of through nodemailer's
 * MIME tree. A dispatch sends tens of thousands of these. nodemailer's composer streams each
 * one through a dozen transforms in small chunks, which makes it most of the CPU a send costs.
 * Handing nodemailer the finished message (its `raw` option) costs about half as much.
 *
 * Header encoding follows nodemailer's own rules, with its helpers: encoded words for non-ASCII
 * and control characters, quoted display names, lines folded at 76. The text and HTML parts are
 * quoted-printable. Returns undefined when an address is outside the plain ASCII form this
 * writer handles (internationalised domains or local parts), and the caller then lets nodemailer
 * compose the message.
 */
export function alertEmailMime(email: AlertEmail, date: Date): string | undefined {
  const envelope = email.envelope ?? { from: email.from.address, to: email.to.address };
  const addresses = [email.from.address, email.to.address, email.replyTo, envelope.from, envelope.to];
  if (!addresses.every((a) => PLAIN_ADDRESS.test(a))) return undefined;

  const headers = [
    header('Content-Type', `multipart/alternative; boundary="${BOUNDARY}"`),
    header('From', mailbox(email.from)),
    header('To', mailbox(email.to)),
    header('Reply-To', email.replyTo),
    header('Subject', text(email.subject)),
    header('Message-ID', messageId(email.messageId)),
    ...Object.entries(email.headers).map(([key, value]) =>
      typeof value === 'object' ? `${key}: ${oneLine(value.value)}` : header(key, text(value)),
    ),
    header('Date', date.toUTCString().replace(/GMT/, '+0000')),
    header('MIME-Version', '1.0'),
  ];
  return [
    headers.join(CRLF),
    '',
    `--${BOUNDARY}`,
    part('text/plain', email.text),
    `--${BOUNDARY}`,
    part('text/html', email.html),
    `--${BOUNDARY}--`,
    '',
  ].join(CRLF);
}

/**
 * The alert email as nodemailer's `raw` message: the finished MIME with the envelope it needs
 * (the VERP bounce address, else From) and the Message-ID; undefined where alertEmailMime declines.
 */
export function alertEmailRaw(
  email: AlertEmail,
  date: Date,
): { envelope: { from: string; to: string }; raw: string; messageId: string } | undefined {
  const raw = alertEmailMime(email, date);
  if (raw === undefined) return undefined;
  return {
    envelope: email.envelope ?? { from: email.from.address, to: email.to.address },
    raw,
    messageId: email.messageId,
  };
}

const CRLF = '\r\n';
/** "=_" never occurs in quoted-printable output, so no part can contain the boundary line. */
const BOUNDARY = '--_=_rapport_alternative';
/** An addr-spec whose local part is a dot-atom and whose domain is ASCII: written as is. */
const PLAIN_ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

// eslint-disable-next-line no-control-regex -- control characters are what these find
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

function header(key: string, value: string): string {
  return foldLines(`${key}: ${value}`, 76);
}

function oneLine(value: string): string {
  return value.replace(/\r?\n|\r/g, ' ');
}

/** An unstructured value (Subject, X- headers): what nodemailer writes for the same string. */
function text(value: string): string {
  const line = oneLine(value);
  return line.search(CONTROL) >= 0
    ? encodeWord(line, wordEncoding(line), 52)
    : encodeWords(line, wordEncoding(line), 52, true);
}

function mailbox({ name, address }: Mailbox): string {
  if (!name) return address;
  const display = oneLine(name);
  if (/^[\w ]*$/.test(display)) return `${display} <${address}>`;
  if (/^[\x20-\x7e]*$/.test(display)) return `${quoteString(display)} <${address}>`;
  return `${encodeWord(display, wordEncoding(display), 52)} <${address}>`;
}

function messageId(value: string): string {
  const id = oneLine(value).replace(CONTROL, '');
  return `${id.startsWith('<') ? '' : '<'}${id}${id.endsWith('>') ? '' : '>'}`;
}

/** Q for mostly Latin text, B otherwise: nodemailer's choice. */
function wordEncoding(value: string): 'Q' | 'B' {
  let other = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x08 || code === 0x0b || code === 0x0c || (code >= 0x0e && code <= 0x1f) || code >= 0x80) other++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
  }
  return other < latin ? 'Q' : 'B';
}

function part(type: 'text/plain' | 'text/html', body: string): string {
  const crlf = body.replace(/\r?\n|\r/g, CRLF);
  return [
    `Content-Type: ${type}; charset=utf-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qpWrap(qpEncode(crlf), 76),
  ].join(CRLF);
}
