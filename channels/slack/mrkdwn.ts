import { INLINE, markdownBlocks, safeLink } from '../email/markdown.js';

/**
 * The alert body's markdown subset (see channels/email/markdown.ts) as Slack mrkdwn. Slack
 * reads `<...>` as links, mentions and @channel/@here broadcasts, and `&` starts an entity, so
 * every character of the analyst's text goes through escapeMrkdwn: a `<!channel>` or
 * `<script>` in an alert arrives as visible, inert text. Only the links we build are live.
 */

/** The three characters mrkdwn treats as control characters (Slack: "Escaping text"). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * mrkdwn that Rapport wrote: the template's own text, with every value put into it escaped (or
 * itself Mrkdwn). Only {@link mk}, {@link mkJoin} and the link and date helpers make one, so a
 * message whose text is Mrkdwn cannot carry a customer's `<!channel>` live.
 */
export class Mrkdwn {
  private constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** For this module's helpers only: text known to be safe mrkdwn. */
  static trusted(text: string): Mrkdwn {
    return new Mrkdwn(text);
  }
}

/** A value for {@link mk}: text and numbers are escaped, Mrkdwn goes in as it is. */
export type MkValue = string | number | Mrkdwn;

const mkValue = (value: MkValue) => (value instanceof Mrkdwn ? value.text : escapeMrkdwn(String(value)));

/**
 * The one way Slack text is written, in blocks and in a message's `text` fallback alike (Slack
 * renders both as mrkdwn: a fallback shows in notifications):
 * mk`*${customer}* replied to “${title}”` escapes customer and title. (mk, for mrkdwn: Prettier
 * would format a template tagged md as Markdown.)
 */
export function mk(strings: TemplateStringsArray, ...values: MkValue[]): Mrkdwn {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += mkValue(value) + (strings[i + 1] ?? '');
  });
  return Mrkdwn.trusted(out);
}

/** A mention of a Slack user by id; anything that is not a user id is shown as text, never as markup. */
export function mkUser(id: string): Mrkdwn {
  return /^[UW][A-Z0-9]{2,30}$/.test(id) ? Mrkdwn.trusted(`<@${id}>`) : mk`${id}`;
}

/** Text as a mrkdwn block quote, every line of it quoted and escaped. */
export function mkQuote(text: string): Mrkdwn {
  return Mrkdwn.trusted(`>${escapeMrkdwn(text).replace(/\n/g, '\n>')}`);
}

/** Parts joined by `separator` (Rapport's own text, not escaped). */
export function mkJoin(parts: readonly MkValue[], separator = '\n'): Mrkdwn {
  return Mrkdwn.trusted(parts.map(mkValue).join(separator));
}

/** A mrkdwn link whose URL and label cannot break out of `<url|label>`. */
export function mrkdwnLink(url: string, label?: string): Mrkdwn {
  const target = url.replace(/[<>|\s]/g, encodeURIComponent);
  return Mrkdwn.trusted(label === undefined ? `<${target}>` : `<${target}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`);
}

/** Slack's date formatting: readers see the date in their own timezone, with a fallback. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): Mrkdwn {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return mk`${iso}`;
  return Mrkdwn.trusted(
    `<!date^${seconds}^${format.replace(/[<>|^]/g, '')}|${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC>`,
  );
}

function inline(source: string, allowLinks: boolean): string {
  let out = '';
  let last = 0;
  for (const match of source.matchAll(INLINE)) {
    const [whole, label, url, bold, starred, underscored, bare] = match;
    const italic = starred ?? underscored;
    out += escapeMrkdwn(source.slice(last, match.index));
    last = match.index + whole.length;
    const href = allowLinks ? safeLink(url ?? bare ?? '') : undefined;
    if (label !== undefined && href) out += mrkdwnLink(href, label).text;
    else if (bare !== undefined && href) out += mrkdwnLink(href).text;
    // Slack: *bold* and _italic_; the inner text is rendered (and escaped) the same way.
    else if (bold !== undefined) out += `*${inline(bold, allowLinks)}*`;
    else if (italic !== undefined) out += `_${inline(italic, allowLinks)}_`;
    else out += escapeMrkdwn(whole);
  }
  return out + escapeMrkdwn(source.slice(last));
}

/** The body as mrkdwn paragraphs (a bullet list is one paragraph), in order. */
export function markdownToMrkdwn(source: string): string[] {
  return markdownBlocks(source).map((block) =>
    block.kind === 'paragraph'
      ? block.lines.map((line) => inline(line, true)).join('\n')
      : block.items.map((item) => `• ${inline(item, true)}`).join('\n'),
  );
}
