import type { EmailHeaders, EmailParty } from '../port.js';

/**
 * Text as HubSpot's timeline shows it. A note's body (hs_note_body) is rich text: HubSpot renders
 * it as HTML, so plain text loses its line breaks and a `<` in it becomes markup. Rapport writes
 * notes as HubSpot's editor does (escaped text in paragraphs, `<br>` for single line breaks) and
 * reads any note back as plain text.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function paragraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** A note's body: the title in bold as its first paragraph, then the text; at most `max` characters. */
export function noteHtml(title: string | null, body: string, max: number): string {
  const html = `${title ? `<p><strong>${escapeHtml(title)}</strong></p>` : ''}${paragraphs(body)}`;
  if (html.length <= max) return html;
  // Cut where no tag or entity is split, and close the paragraph the cut lands in.
  let cut = html.slice(0, max - '…</p>'.length);
  cut = cut.replace(/<[^>]*$/, '').replace(/&[#a-z0-9]*$/i, '');
  return `${cut.replace(/<\/p>$/, '')}…</p>`;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Plain text of a rich-text value (HubSpot's, or one written by hand): breaks kept, tags dropped. */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return html;
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] === '#') {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return NAMED[ref.toLowerCase()] ?? whole;
    })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const party = (p: EmailParty) => ({
  email: p.email,
  ...(p.firstName ? { firstName: p.firstName } : {}),
  ...(p.lastName ? { lastName: p.lastName } : {}),
});

/**
 * hs_email_headers: a JSON string `{from:{email,firstName,lastName}, to:[...], cc:[...], bcc:[...]}`.
 * HubSpot fills the read-only hs_email_from_* and hs_email_to_* properties from it, which is what
 * its timeline shows as sender and recipients.
 */
export function emailHeadersJson(headers: EmailHeaders): string {
  return JSON.stringify({
    from: party(headers.from),
    to: headers.to.map(party),
    cc: (headers.cc ?? []).map(party),
    bcc: (headers.bcc ?? []).map(party),
  });
}
