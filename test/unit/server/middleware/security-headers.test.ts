import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fullApp } from '../openapi/full-app.js';

const hashOf = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

describe('security headers', () => {
  it('every JSON answer allows nothing, is never framed, never sniffed and sends no referrer', async () => {
    const app = await fullApp();
    for (const res of [
      await app.request('/healthz'),
      await app.request('/api/touches/tch_01jd3v8z6q4m2k9x7c5b1n0p3r'), // 401
      await app.request('/nowhere'), // 404
      await app.request('/api/alerts?topic=%E0'), // 400 before any route
    ]) {
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('HSTS when PUBLIC_URL is https', async () => {
    const app = await fullApp({ security: { https: true } });
    expect((await app.request('/healthz')).headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('the API reference page allows its own style sheet and nothing else', async () => {
    const res = await (await fullApp()).request('/api/docs');
    const html = await res.text();
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src ${hashOf(css)}; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(html).not.toMatch(/<script|style="/);
  });

  it("the add-in's files: Office.js from Microsoft's CDN, framed by Outlook and Office only", async () => {
    const app = await fullApp({ security: { https: false, addinFrameAncestors: ['https://outlook.office365.us'] } });
    const res = await app.request('/addin/config.json');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' https://appsforoffice.microsoft.com;");
    expect(csp).toContain("connect-src 'self' https://login.microsoftonline.com;");
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/outlook\.office\.com .* https:\/\/outlook\.office365\.us$/);
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('links keep their kind however the path is spelled', async () => {
    const res = await (await fullApp()).request('//approvals/%zz');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
  });

  it('the trail page is a link page: its style sheet, forms to itself, never framed', async () => {
    const res = await (await fullApp()).request('/trail/%zz');
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
