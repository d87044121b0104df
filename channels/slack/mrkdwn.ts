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

/** A mrkdwn link whose URL and label cannot break out of `<url|label>`. */
export function mrkdwnLink(url: string, label?: string): string {
  const target = url.replace(/[<>|\s]/g, encodeURIComponent);
  return label === undefined ? `<${target}>` : `<${target}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Slack's date formatting: readers see the date in their own timezone, with a fallback. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  return `<!date^${seconds}^${format}|${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
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
  return markdownBlocks(source).map((block) =>
    block.kind === 'paragraph'
      ? block.lines.map((line) => inline(line, true)).join('\n')
      : block.items.map((item) => `• ${inline(item, true)}`).join('\n'),
  );
}
