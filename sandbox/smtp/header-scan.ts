import { decodeEncodedWords } from './encoded-words.js';

export interface ScannedHeaders {
  messageId?: string;
  alertId?: string;
  contactId?: string;
  subject: string;
  from: string;
  to: string;
  date?: string;
}

const WANTED = ['message-id', 'x-rapport-alert-id', 'x-rapport-contact-id', 'subject', 'from', 'to', 'date'] as const;
type Wanted = (typeof WANTED)[number];
const WANTED_SET: ReadonlySet<string> = new Set(WANTED);

/** Offset where the header block ends (the body starts two line breaks later). */
export function headerBlockEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0) return crlf;
  const lf = raw.indexOf('\n\n');
  return lf >= 0 ? lf : raw.length;
}

/**
 * Reads only the headers the outbox and the duplicate counters need. This runs for every
 * message in the hot path, so it never touches the body; full parsing happens when someone looks.
 */
export function scanHeaders(raw: Buffer): ScannedHeaders {
  const block = raw.toString('utf8', 0, headerBlockEnd(raw));
  const found = new Map<Wanted, string>();
  let name: string | undefined;
  let value = '';
  const keep = () => {
    if (name !== undefined && WANTED_SET.has(name) && !found.has(name as Wanted))
      found.set(name as Wanted, value.trim());
  };
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      value += ' ' + line.trim();
      continue;
    }
    keep();
    const colon = line.indexOf(':');
    name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : undefined;
    value = colon > 0 ? line.slice(colon + 1) : '';
  }
  keep();
  const text = (key: Wanted) => decodeEncodedWords(found.get(key) ?? '');
  const optional = (key: Wanted) => (found.get(key) ? text(key) : undefined);
  return {
    messageId: optional('message-id'),
    alertId: optional('x-rapport-alert-id'),
    contactId: optional('x-rapport-contact-id'),
    subject: text('subject'),
    from: text('from'),
    to: text('to'),
    date: optional('date'),
  };
}
