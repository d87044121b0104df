import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { officeJsCdnUrl, officeJsProblems, officeJsVersion } from '../../../scripts/build-addin.js';

const page = (src: string) => `<head><script src="${src}"></script></head>`;

describe('the Office.js the pane is built against', () => {
  it('is the installed @microsoft/office-js, loaded from the CDN path of its major version', () => {
    expect(officeJsVersion()).toMatch(/^1\.\d+\.\d+$/);
    expect(officeJsCdnUrl('1.1.110')).toBe('https://appsforoffice.microsoft.com/lib/1/hosted/office.js');
    for (const file of ['taskpane.html', 'commands.html']) {
      expect(officeJsProblems(readFileSync(resolve('outlook-addin', file), 'utf8'), officeJsVersion())).toEqual([]);
    }
  });

  it("the pages carry no inline script: the pane's Content-Security-Policy allows none", () => {
    for (const file of ['taskpane.html', 'commands.html']) {
      const html = readFileSync(resolve('outlook-addin', file), 'utf8');
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('fails the build for a page that loads another Office.js, or none, or two', () => {
    expect(officeJsProblems(page('https://appsforoffice.microsoft.com/lib/beta/hosted/office.js'), '1.1.110')).toEqual([
      'Office.js from https://appsforoffice.microsoft.com/lib/beta/hosted/office.js, not https://appsforoffice.microsoft.com/lib/1/hosted/office.js (@microsoft/office-js 1.1.110)',
    ]);
    expect(officeJsProblems(page('https://appsforoffice.microsoft.com/lib/1/hosted/office.js'), '2.0.0')).toHaveLength(
      1,
    );
    expect(officeJsProblems('<head></head>', '1.1.110')).toEqual(['expected one Office.js script tag, found 0']);
    const twice = page(officeJsCdnUrl('1.1.110')).repeat(2);
    expect(officeJsProblems(twice, '1.1.110')).toEqual(['expected one Office.js script tag, found 2']);
  });
});
