/**
 * The preference page in a real browser (headless Chromium): an automated accessibility check
 * (axe-core, WCAG 2.1 A/AA) finds no serious or critical violation on a phone and a desktop, the
 * page works by keyboard alone, its own CSP lets nothing else load, and it sets no cookie.
 * Screenshots are kept in test-artifacts/preferences/ (gitignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { preferenceLinkId } from '../../../domain/preferences.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV } from './support.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/preferences');
const AXE = readFileSync(resolve(import.meta.dirname, '../../../node_modules/axe-core/axe.min.js'), 'utf8');

let t: TestRapport;
let server: ServerType;
let base: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestRapport({ env: { ...BROADCAST_ENV, HUBSPOT_SUBSCRIPTION_TYPES: 'rates=1004' } });
  await t.rapport.crm.updateContactProperties(DEMO.joe.id, { mobilephone: '+14155550111' });
  server = await new Promise<ServerType>((done) => {
    const s = serve({ fetch: t.rapport.app.fetch, hostname: '127.0.0.1', port: 0 }, () => done(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  await t?.stop();
});

const link = (contactId: string) =>
  `${base}/p/${signToken(TEST_SECRET, 'preferences', preferenceLinkId(contactId, new Date()))}`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core injected into the page (the page's CSP is bypassed for the check script only). */
async function axe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })`,
  )) as { violations: AxeViolation[]; passes: { id: string }[] };
  // The check really ran: labels, contrast and the rest were each looked at.
  const passed = result.passes.map((p) => p.id);
  expect(passed).toEqual(expect.arrayContaining(['label', 'color-contrast', 'html-has-lang', 'document-title']));
  return result.violations;
}

const serious = (violations: AxeViolation[]) =>
  violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);

async function open(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  return { context, page };
}

describe('the preference page in Chromium', () => {
  for (const [name, viewport] of [
    ['phone', { width: 375, height: 812 }],
    ['desktop', { width: 1280, height: 900 }],
  ] as const) {
    it(`${name}: no serious or critical accessibility violation; screenshot kept`, async () => {
      const { context, page } = await open(viewport);
      try {
        const res = await page.goto(link(DEMO.joe.id));
        expect(res?.status()).toBe(200);
        await expect(page.locator('h1')).toBeTruthy();
        expect(serious(await axe(page))).toEqual([]);
        // Nothing overflows sideways on a phone.
        const overflow = (await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        )) as number;
        expect(overflow).toBeLessThanOrEqual(0);
        await page.screenshot({ path: resolve(ARTIFACTS, `page-${name}.png`), fullPage: true });
        expect((await context.cookies()).length).toBe(0);
      } finally {
        await context.close();
      }
    });
  }

  it('works by keyboard alone: tab to a choice, change it, save with Enter; the saved page passes too', async () => {
    const { context, page } = await open({ width: 375, height: 812 });
    try {
      // The page's own CSP, as the customer's browser applies it, blocks nothing of the page.
      const blocked: string[] = [];
      const strict = await browser.newContext({ viewport: { width: 375, height: 812 } });
      const strictPage = await strict.newPage();
      strictPage.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
      });
      await strictPage.goto(link(DEMO.maria.id));
      const styled = (await strictPage.evaluate(
        `getComputedStyle(document.querySelector('button')).backgroundColor`,
      )) as string;
      expect(styled).toBe('rgb(29, 78, 216)');
      expect(blocked).toEqual([]);
      await strict.close();

      await page.goto(link(DEMO.maria.id));
      // The first focusable control is the first topic's "Yes"; arrow keys move within the radio group.
      await page.keyboard.press('Tab');
      const first = (await page.evaluate('document.activeElement && document.activeElement.name')) as string;
      expect(first).toBe('topic.markets.enabled');
      await page.keyboard.press('ArrowRight');
      expect(await page.evaluate('document.activeElement.value')).toBe('off');
      // Tab on to the save button, then Enter.
      for (let i = 0; i < 200; i += 1) {
        const label = (await page.evaluate('document.activeElement && document.activeElement.textContent')) as string;
        if (label?.includes('Save my preferences')) break;
        await page.keyboard.press('Tab');
      }
      expect(await page.evaluate('document.activeElement.textContent')).toContain('Save my preferences');
      await Promise.all([page.waitForURL(`${base}/p`), page.keyboard.press('Enter')]);
      const status = await page.locator('[role=status]').textContent();
      expect(status).toContain('Market updates: off');
      expect(serious(await axe(page))).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, 'saved-phone.png'), fullPage: true });
      expect((await context.cookies()).length).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('a refused field: the error is announced, links to the field, and passes the check', async () => {
    const { context, page } = await open({ width: 375, height: 812 });
    try {
      await page.goto(link(DEMO.joe.id));
      // Quiet hours with a start and no end.
      await page.fill('#f-quietStart', '22:00');
      await Promise.all([page.waitForURL(`${base}/p`), page.click('button[value=save]')]);
      const alert = page.locator('[role=alert]');
      expect(await alert.textContent()).toContain('quietEnd');
      expect(await alert.locator('a').getAttribute('href')).toBe('#f-quietEnd');
      expect(serious(await axe(page))).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, 'error-phone.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
