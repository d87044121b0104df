import { BULLET, INLINE, normalize, safeLink } from '../email/markdown.js';

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

/** A mrkdwn link whose URL and label cannot break out of `<url|label>`. */
export function mrkdwnLink(url: string, label?: string): string {
  const target = url.replace(/[<>|\s]/g, encodeURIComponent);
  return label === undefined ? `<${target}>` : `<${target}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

function inline(source: string, allowLinks: boolean): string {
  let out = '';
  let last = 0;
  for (const match of source.matchAll(INLINE)) {
    const [whole, label, url, bold, italic, bare] = match;
    out += escapeMrkdwn(source.slice(last, match.index));
    last = match.index + whole.length;
    const href = allowLinks ? safeLink(url ?? bare ?? '') : undefined;
    if (label !== undefined && href) out += mrkdwnLink(href, label);
    else if (bare !== undefined && href) out += mrkdwnLink(href);
    // Slack: *bold* and _italic_; the inner text is rendered (and escaped) the same way.
    else if (bold !== undefined) out += `*${inline(bold, allowLinks)}*`;
    else if (italic !== undefined) out += `_${inline(italic, allowLinks)}_`;
    else out += escapeMrkdwn(whole);
  }
  return out + escapeMrkdwn(source.slice(last));
}

/** The body as mrkdwn paragraphs (a bullet list is one paragraph), in order. */
export function markdownToMrkdwn(source: string): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length) out.push(paragraph.map((l) => inline(l.trim(), true)).join('\n'));
    paragraph = [];
  };
  const flushList = () => {
    if (list.length) out.push(list.map((item) => `• ${inline(item.trim(), true)}`).join('\n'));
    list = [];
  };
  for (const line of normalize(source).split('\n')) {
    const bullet = BULLET.exec(line);
    if (line.trim() === '') {
      flushParagraph();
      flushList();
    } else if (bullet) {
      flushParagraph();
      list.push(bullet[1] ?? '');
    } else {
      flushList();
      paragraph.push(line);
    }
  }
  flushParagraph();
  flushList();
  return out;
}
