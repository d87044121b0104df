import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { seedBenchLists } from '../../../sandbox/hubspot/seed/bench.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createTestDashboardAuth, TEST_VIEWER_HEADER } from '../../../testkit/dashboard-test-auth.js';
import { startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import { approve, BROADCAST_ENV, getAlert, submit, waitForStatus, type AlertBody } from '../broadcast/support.js';

/**
 * The dashboard in Chromium over the whole of Rapport (real workflow, real SMTP to the catcher):
 * an alert to 2,000 contacts, its page open while it dispatches. The page's sent count rises over
 * the live stream without a reload; its final figures equal the catcher's and the API's; its
 * charts hold the expected series; the crow's nest lists the seeded untouched customers.
 * The sign-in is the test double (a viewer header): the real one is another module's.
 */
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/dashboard');
const CONTACTS = 2_000;
const LIST = 7001;
const VIEWER = 'ana@bank.example';

let t: TestRapport;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

interface PageState {
  figures: { counts: Record<string, number>; funnel: { key: string; value: number }[]; status: string };
  updates: number;
  charts: Record<string, { plot: { series: { label?: string }[]; data: number[][] } }>;
}
const state = () =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { rapportDashboard: PageState }).rapportDashboard;
    return {
      figures: d.figures,
      updates: d.updates,
      charts: Object.fromEntries(
        Object.entries(d.charts).map(([k, v]) => [
          k,
          { series: v.plot.series.slice(1).map((s) => s.label), data: v.plot.data.slice(1) },
        ]),
      ),
    };
  });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      // About ten seconds of sending: long enough to watch the count rise.
      EMAIL_RATE_PER_SECOND: '200',
      RESPONSE_WINDOW_HOURS: '0.01',
    },
    dashboardAuth: createTestDashboardAuth(),
  });
  seedBenchLists(t.sandbox.state(), { memberships: CONTACTS, lists: 1, overlap: 0, firstListId: LIST });
  // The contact read model as the sync leaves it: three customers with tiers, one touched last week.
  await t.db.query(
    `insert into crm_contacts (id, email, first_name, last_name, owner_id, updated_at, search_text, value_tier, customer_since)
     values ('nest-1', 'greta@nest.example', 'Greta', 'Untouched', 'owner-7', now(), 'greta', 'platinum', now() - interval '4 years'),
            ('nest-2', 'hugo@nest.example', 'Hugo', 'Forgotten', 'owner-8', now(), 'hugo', 'gold', null),
            ('nest-3', 'ines@nest.example', 'Ines', 'Visited', 'owner-7', now(), 'ines', 'gold', null)`,
  );
  await t.db.query(
    `insert into touches (id, request_hash, contact_crm_id, channel, summary, occurred_at, logged_by, answers)
     values ('tch_nest3', 'h', 'nest-3', 'call', 'Quarterly call', now() - interval '6 days', 'rep@bank.example', '{}')`,
  );
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
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1600 },
    extraHTTPHeaders: { [TEST_VIEWER_HEADER]: VIEWER },
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  await t?.stop();
});

describe('the dashboard in Chromium', () => {
  let alertId: string;
  let final: AlertBody;

  it('follows an alert to 2,000 contacts live, and ends on the same figures as the catcher and the API', async () => {
    alertId = await submit(t, { lists: [String(LIST)], title: 'Rates move <live>' });
    await waitForStatus(t, alertId, 'awaiting_approval', 120_000);
    await page.goto(`${base}/dashboard/alerts/${alertId}`);
    await page.screenshot({ path: `${ARTIFACTS}/alert-before-approval.png`, fullPage: true });
    expect(await page.locator('[data-path="counts|sent"]').first().innerText()).toBe('0');
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation' as never).length);
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = 'same document'));

    await approve(t, alertId);
    // Seen on the page while sending: a count above zero and below the audience.
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          const n = Number(await page.locator('[data-path="counts|sent"]').first().innerText());
          seen.push(n);
          return n > 0 && n < CONTACTS;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/alert-sending.png`, fullPage: true });

    final = await waitForStatus(t, alertId, ['following_up', 'completed'], 180_000);
    // Three customers unsubscribe while the response window is open.
    const deliveries = createDeliveryStore(t.db);
    const ids = (
      await t.db.query<{ id: string }>(
        `select contact_id as id from deliveries where alert_id = $1 order by seq limit 3`,
        [alertId],
      )
    ).rows;
    for (const { id } of ids) {
      const d = await deliveries.get(alertId, id);
      const res = await t.rapport.app.request(`/u/${signToken(TEST_SECRET, 'unsubscribe', d!.token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
    }
    final = await waitForStatus(t, alertId, 'completed', 180_000);
    await expect.poll(async () => (await state()).figures.status, { timeout: 20_000 }).toBe('completed');
    const s = await state();
    // Never reloaded: the same document, its one navigation, updated by the stream many times.
    expect(await page.evaluate(() => (globalThis as unknown as { marker: string }).marker)).toBe('same document');
    expect(await page.evaluate(() => performance.getEntriesByType('navigation' as never).length)).toBe(navigations);
    expect(s.updates).toBeGreaterThan(2);
    expect(seen.some((n) => n > 0 && n < CONTACTS)).toBe(true);

    // The catcher's count, the API's and the page's agree exactly.
    const caught = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId).length;
    const api = await getAlert(t, alertId);
    expect(caught).toBe(CONTACTS);
    expect(api.counts.sent).toBe(CONTACTS);
    expect(s.figures.counts).toEqual(api.counts);
    expect(Number(await page.locator('[data-path="counts|sent"]').first().innerText())).toBe(api.counts.sent);
    expect(Number(await page.locator('[data-path="counts|responded"]').first().innerText())).toBe(api.counts.responded);
    const funnel = Object.fromEntries(s.figures.funnel.map((f) => [f.key, f.value]));
    expect(funnel).toMatchObject({
      memberships: api.audience!.totalMemberships,
      unique: api.audience!.uniqueContacts,
      sent: caught,
      unsubscribed: 3,
    });

    // The charts: sends by channel (email only here) adding up to the sends; responses by kind.
    expect(s.charts.sends!.series).toEqual(['email']);
    expect(s.charts.sends!.data[0]!.reduce((a, b) => a + (b ?? 0), 0)).toBe(CONTACTS);
    expect(s.charts.responses!.series).toEqual(['unsubscribe']);
    expect(s.charts.responses!.data[0]!.reduce((a, b) => a + (b ?? 0), 0)).toBe(3);
    expect(await page.locator('canvas').count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/alert-final.png`, fullPage: true });

    // Reloaded, the server-rendered figures are the same.
    await page.reload();
    expect(Number(await page.locator('[data-path="counts|sent"]').first().innerText())).toBe(CONTACTS);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(final.status).toBe('completed');
  });

  it("shows the alert across alerts, and the crow's nest lists the seeded untouched customers", async () => {
    await page.goto(`${base}/dashboard`);
    await expect.poll(() => page.locator('canvas').count()).toBe(1);
    // The alert's topic, its rates linked to the alerts behind them.
    const topic = page.locator('a[href="/dashboard/alerts?topic=rates"]').first();
    expect(await topic.innerText()).toBe('rates');
    await page.screenshot({ path: `${ARTIFACTS}/across-alerts.png`, fullPage: true });

    await page.goto(`${base}/dashboard/crows-nest?days=30`);
    expect(await page.locator('#untouched-total').innerText()).toBe('2');
    await page.locator('#untouched-total').click();
    await page.waitForURL(/\/dashboard\/crows-nest\/untouched/);
    const names = await page.locator('tbody tr td:first-child').allInnerTexts();
    expect(names).toEqual(['Greta Untouched', 'Hugo Forgotten']);
    await page.goto(`${base}/dashboard/crows-nest?days=30`);
    await page.screenshot({ path: `${ARTIFACTS}/crows-nest.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('without a viewer the pages answer 401', async () => {
    const res = await fetch(`${base}/dashboard/alerts/${alertId}`);
    expect(res.status).toBe(401);
  });
});
