import { escapeHtml } from './html-escape.js';

/**
 * The markdown subset analysts may use in an alert body: paragraphs, **bold**, *italic* or _italic_,
 * [links](https://...) and bare http(s) URLs, and "- " bullet lists. Everything else is text:
 * any HTML in the input is escaped, so a <script> in an alert arrives as visible, inert text.
 */
export interface RenderedMarkdown {
  html: string;
  text: string;
}

/**
 * Links, **bold**, *italic* or _italic_, and bare URLs; shared with the Slack renderer so both read
 * the same subset. An underscore inside a word (snake_case, file_name_v2) is not emphasis.
 */
export const INLINE =
  /\[([^\]\n]+)\]\(([^()\s]+)\)|\*\*(?=\S)([^\n]*?\S)\*\*|\*(?=[^\s*])([^*\n]*?[^\s*])\*|(?<![\p{L}\p{N}_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\p{L}\p{N}_])|(https?:\/\/[^\s<>"'`]*[^\s<>"'`.,;:!?)\]])/gu;
const BULLET = /^\s*[-*+]\s+(.*)$/;

/** Only absolute http(s) links survive; `javascript:`, `data:` and friends stay text. */
export function safeLink(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function renderInline(source: string, allowLinks: boolean): RenderedMarkdown {
  let html = '';
  let text = '';
  let last = 0;
  for (const match of source.matchAll(INLINE)) {
    const [whole, label, url, bold, starred, underscored, bare] = match;
    const italic = starred ?? underscored;
    const before = source.slice(last, match.index);
    html += escapeHtml(before);
    text += before;
    last = match.index + whole.length;
    const href = allowLinks ? safeLink(url ?? bare ?? '') : undefined;
    if (label !== undefined && href) {
      const inner = renderInline(label, false);
      html += `<a href="${escapeHtml(href)}">${inner.html}</a>`;
      text += `${inner.text} (${href})`;
    } else if (bare !== undefined && href) {
      html += `<a href="${escapeHtml(href)}">${escapeHtml(bare)}</a>`;
      text += bare;
    } else if (bold !== undefined || italic !== undefined) {
      const inner = renderInline((bold ?? italic) as string, allowLinks);
      const tag = bold !== undefined ? 'strong' : 'em';
      html += `<${tag}>${inner.html}</${tag}>`;
      text += inner.text;
    } else {
      html += escapeHtml(whole);
      text += whole;
    }
  }
  html += escapeHtml(source.slice(last));
  text += source.slice(last);
  return { html, text };
}

/** Control characters other than line breaks and tabs have no business in an alert. */
function normalize(source: string): string {
  return (
    source
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, ' ')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** A body's blocks in order: paragraphs (lines kept) and "- " lists; shared with the Slack renderer. */
export type MarkdownBlock = { kind: 'paragraph'; lines: string[] } | { kind: 'list'; items: string[] };

export function markdownBlocks(source: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  let open: MarkdownBlock | undefined;
  for (const line of normalize(source).split('\n')) {
    const bullet = BULLET.exec(line);
    if (line.trim() === '') {
      open = undefined;
    } else if (bullet) {
      if (open?.kind !== 'list') blocks.push((open = { kind: 'list', items: [] }));
      open.items.push((bullet[1] ?? '').trim());
    } else {
      if (open?.kind !== 'paragraph') blocks.push((open = { kind: 'paragraph', lines: [] }));
      open.lines.push(line.trim());
    }
  }
  return blocks;
}

export function renderMarkdown(source: string): RenderedMarkdown {
  const html: string[] = [];
  const text: string[] = [];
  for (const block of markdownBlocks(source)) {
    if (block.kind === 'paragraph') {
      const lines = block.lines.map((line) => renderInline(line, true));
      html.push(`<p>${lines.map((l) => l.html).join('<br>\n')}</p>`);
      text.push(lines.map((l) => l.text).join('\n'));
    } else {
      const items = block.items.map((item) => renderInline(item, true));
      html.push(`<ul>\n${items.map((i) => `<li>${i.html}</li>`).join('\n')}\n</ul>`);
      text.push(items.map((i) => `- ${i.text}`).join('\n'));
    }
  }
  return { html: html.join('\n'), text: text.join('\n\n') };
}
