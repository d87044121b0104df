import { readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifest, parseXml, versionLess } from '../../../scripts/addin-manifest-check.js';
import { DEV_ORIGIN, renderManifest } from '../../../scripts/addin-manifest.js';

const committed = readFileSync(resolve('manifest.xml'), 'utf8');

/** Office.js APIs the pane may call and the Mailbox requirement set each needs. */
const API_SETS: { pattern: RegExp; set: string; api: string }[] = [
  { pattern: /\.from\b/, set: '1.1', api: 'item.from' },
  { pattern: /internetMessageId/, set: '1.1', api: 'item.internetMessageId' },
  { pattern: /body\.getAsync/, set: '1.3', api: 'item.body.getAsync' },
  { pattern: /addHandlerAsync\(\s*Office\.EventType\.ItemChanged/, set: '1.5', api: 'ItemChanged' },
  { pattern: /getAllInternetHeadersAsync/, set: '1.8', api: 'getAllInternetHeadersAsync' },
  { pattern: /displayReplyForm|getAttachmentsAsync|getAttachmentContentAsync/, set: '1.8', api: 'attachments/forms' },
  { pattern: /categories\.|sessionData|getSharedPropertiesAsync/, set: '1.8', api: 'categories/sessionData' },
];

function sources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && /\.tsx?$/.test(f.name))
    .map((f) => readFileSync(resolve(f.parentPath, f.name), 'utf8'))
    .join('\n');
}

describe('manifest.xml', () => {
  it('is the template rendered for the localhost development origin (regenerate with scripts/addin-manifest.ts)', () => {
    expect(committed).toBe(renderManifest({ origin: DEV_ORIGIN }));
  });

  it('is well-formed, complete, HTTPS-only, with resolving resids and unique ids', () => {
    const { problems, facts } = checkManifest(committed);
    expect(problems).toEqual([]);
    expect(facts.urls.length).toBeGreaterThan(10);
    expect(facts.urls.every((u) => u.startsWith('https://'))).toBe(true);
  });

  it('declares a read-mode message rule, a pinnable task pane and the icons', () => {
    const { facts } = checkManifest(committed);
    expect(committed).toMatch(/<Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"\/>/);
    expect(facts.overrides.map((o) => [o.type, o.minVersion, o.pinning])).toEqual([
      ['VersionOverridesV1_0', '1.3', false],
      ['VersionOverridesV1_1', '1.5', true],
    ]);
    for (const size of [16, 32, 64, 80, 128]) {
      expect(committed).toContain(`/addin/assets/icon-${size}.png`);
      expect(
        readFileSync(resolve(`outlook-addin/assets/icon-${size}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
  });

  it('takes every URL from the configured origin', () => {
    const prod = renderManifest({ origin: 'https://rapport.example.com' });
    expect(checkManifest(prod).problems).toEqual([]);
    expect(prod).not.toContain('localhost');
    expect(prod).toContain('https://rapport.example.com/addin/taskpane.html');
    expect(parseXml(prod).children.find((c) => c.name === 'Id')?.text).not.toBe(
      parseXml(committed).children.find((c) => c.name === 'Id')?.text,
    );
    expect(() => renderManifest({ origin: 'http://rapport.example.com' })).toThrow(/https/);
  });

  it('asks for requirement sets consistent with the Office.js APIs the pane calls', () => {
    const { facts } = checkManifest(committed);
    const code = sources(resolve('outlook-addin/src'));
    const declared = facts.overrides.map((o) => o.minVersion ?? '1.1').reduce((a, b) => (versionLess(a, b) ? b : a));
    for (const { pattern, set, api } of API_SETS) {
      if (!pattern.test(code)) continue;
      if (!versionLess(declared, set)) continue;
      // Above what the manifest guarantees: only behind a runtime check, with a fallback.
      expect(code, `${api} needs Mailbox ${set}: guard it with isSetSupported`).toMatch(
        new RegExp(
          `supports\\('Mailbox', '${set.replace('.', '\\.')}'\\)|isSetSupported\\('Mailbox', '${set.replace('.', '\\.')}'\\)`,
        ),
      );
    }
    // ...and nothing higher than the APIs need: the 1.5 override exists for pinning + ItemChanged.
    expect(code).toMatch(/Office\.EventType\.ItemChanged/);
  });

  it('rejects broken manifests', () => {
    const broken = committed
      .replace('resid="Taskpane.Url"', 'resid="Nope.Url"')
      .replace('https://localhost:3443/addin/commands.html', 'http://localhost:3443/addin/commands.html');
    const { problems } = checkManifest(broken);
    expect(problems.join('\n')).toMatch(/resid Nope.Url does not resolve/);
    expect(problems.join('\n')).toMatch(/not HTTPS/);
    expect(() => parseXml('<a><b></a>')).toThrow(/not well-formed/);
    expect(checkManifest(committed.replace('<Permissions>ReadItem</Permissions>', '')).problems).toContain(
      'missing <Permissions>',
    );
  });
});
