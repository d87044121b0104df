import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const README_MAX_LINES = 150;

/** The manual: the README and every page in docs/. */
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without fenced code blocks and inline code, where `[x](y)` and `# x` are not links or headings. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, (code) => (line.trimStart().startsWith('#') ? code : ''));
  });
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Relative link targets: inline `[text](target)` and reference definitions `[label]: target`. */
function relativeLinks(markdown: string): string[] {
  const targets = prose(markdown).flatMap((line) => [
    ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]!),
  ]);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** What is wrong with one link from `page`, or undefined when it resolves. */
function problem(page: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
  if (!existsSync(file)) return `${target}: no file ${relative(ROOT, file)}`;
  if (anchor === undefined || statSync(file).isDirectory() || !file.endsWith('.md')) return undefined;
  if (!anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase()))
    return `${target}: no heading #${anchor} in ${relative(ROOT, file)}`;
  return undefined;
}

describe('the manual (README.md and docs/)', () => {
  it.each(PAGES)('%s: every relative link points at a file and heading that exist', (page) => {
    const links = relativeLinks(readFileSync(join(ROOT, page), 'utf8'));
    expect(links.flatMap((target) => problem(page, target) ?? [])).toEqual([]);
  });

  it(`README.md is at most ${README_MAX_LINES} lines: the reference lives in docs/`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('the link checker', () => {
  it('finds GitHub anchors, including repeated headings and headings with code', () => {
    const found = anchors(
      "# What `npm start` starts\n## The add-in's API\n## Logs\n## Logs\n```sh\n# not a heading\n```\n",
    );
    expect([...found]).toEqual(['what-npm-start-starts', 'the-add-ins-api', 'logs', 'logs-1']);
  });

  it('reports a missing file and a missing heading, and ignores links in code and absolute URLs', () => {
    const page = 'README.md';
    expect(problem(page, 'docs/NO-SUCH-PAGE.md')).toMatch(/no file docs\/NO-SUCH-PAGE\.md/);
    expect(problem(page, 'docs/ARCHITECTURE.md#no-such-heading')).toMatch(/no heading #no-such-heading/);
    expect(problem(page, 'docs/ARCHITECTURE.md')).toBeUndefined();
    expect(
      relativeLinks('see `[x](gone.md)` and [y](https://example.com) and [z](#here)\n```\n[w](gone.md)\n```'),
    ).toEqual(['#here']);
  });
});
