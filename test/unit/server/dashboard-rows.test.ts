import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardData } from '../../../services/dashboard.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createDashboardStore } from '../../../store/dashboard.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createResponseStore } from '../../../store/responses.js';
import { createTestDashboardAuth, TEST_VIEWER_HEADER } from '../../../testkit/dashboard-test-auth.js';
import { testDb } from '../../../testkit/db.js';
import { fullApp } from './openapi/full-app.js';

/**
 * "Every number links to the records behind it": the funnel's held and scheduled rows, the
 * across-alerts rows by channel, tier, relationship and week, the crow's nest's questions and
 * touches per rep. Each number's link is followed and its records counted (CSV export of the
 * same page): the count must be the number.
 */
const viewer = { [TEST_VIEWER_HEADER]: 'ana@bank.example' };
const LIVE = 'alr_01ROWSUNITLIVE00000000000';
const DONE = 'alr_01ROWSUNITDONE00000000000';

let db: Db;
let app: Awaited<ReturnType<typeof fullApp>>;
let data: ReturnType<typeof createDashboardData>;

const get = async (path: string) => {
  const res = await app.request(path.replaceAll('&amp;', '&'), { headers: viewer });
  expect(res.status, path).toBe(200);
  return res.text();
};
/** The data rows of a page's CSV export, split into cells (no quoted commas in these fixtures). */
const csv = async (href: string) => {
  const path = href.replaceAll('&amp;', '&');
  const text = await get(`${path}${path.includes('?') ? '&' : '?'}format=csv`);
  return text
    .trim()
    .split('\r\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(','));
};
/** Links whose text is a count: [href, count]. */
const countLinks = (html: string, pathPrefix: string) =>
  [...html.matchAll(/<a href="([^"]+)"(?: data-path="[^"]*")?>(\d+)<\/a>/g)]
    .filter((m) => m[1]!.startsWith(pathPrefix))
    .map((m) => [m[1]!, Number(m[2])] as const);

async function alert(id: string, status: string, topic: string) {
  await db.query(
    `insert into alerts (id, requester, title, body, topic, list_ids, channels, reply_owner, approver_group, status, created_at)
     values ($1, 'analyst@bank.example', $1, 'Body', $2, '["1"]', '["email"]', 'analyst', 'alerts', $3, now() - interval '2 days')`,
    [id, topic, status],
  );
}

async function delivery(
  alertId: string,
  seq: number,
  contact: string,
  status: string,
  opts: { channel?: string; heldHours?: number; responded?: boolean } = {},
) {
  await db.query(
    `insert into deliveries (alert_id, contact_id, seq, channel, address, token, status, sent_channel, sent_at,
       responded_at, deliver_after)
     values ($1, $2, $3, $4, $2 || '@example.com', $8, $5, case when $5 in ('sent', 'bounced') then $4 end,
       case when $5 in ('sent', 'bounced') then now() end, case when $6 then now() end,
       case when $7::int is not null then now() + make_interval(hours => $7::int) end)`,
    [
      alertId,
      contact,
      seq,
      opts.channel ?? 'email',
      status,
      opts.responded ?? false,
      opts.heldHours ?? null,
      `${alertId}-${seq}`,
    ],
  );
}

beforeAll(async () => {
  db = await testDb();
  await db.query(
    `insert into crm_contacts (id, email, first_name, last_name, owner_id, updated_at, search_text, value_tier, customer_since)
     select 'k' || g, 'k' || g || '@example.com', 'K' || g, 'Row', 'owner-' || (g % 2), now(), 'k',
       case when g < 4 then 'gold' else 'silver' end, case when g < 2 then now() - interval '2 years' end
     from generate_series(0, 9) g`,
  );
  // Under way: 2 held until later (quiet hours), 2 pending and 1 sending (scheduled), 3 sent (1 by SMS), 1 bounced.
  await alert(LIVE, 'dispatching', 'rates');
  await delivery(LIVE, 0, 'k0', 'pending', { heldHours: 5 });
  await delivery(LIVE, 1, 'k1', 'pending', { heldHours: 2 });
  await delivery(LIVE, 2, 'k2', 'pending');
  await delivery(LIVE, 3, 'k3', 'pending', { heldHours: -1 });
  await delivery(LIVE, 4, 'k4', 'sending');
  await delivery(LIVE, 5, 'k5', 'sent', { responded: true });
  await delivery(LIVE, 6, 'k6', 'sent');
  await delivery(LIVE, 7, 'k7', 'sent', { channel: 'sms' });
  await delivery(LIVE, 8, 'k8', 'bounced');
  // Finished, read from its rollup: 6 sent by email, 1 by SMS, across tiers.
  await alert(DONE, 'completed', 'products');
  for (let i = 0; i < 7; i++)
    await delivery(DONE, i, `k${i + 3}`, 'sent', { channel: i === 6 ? 'sms' : 'email', responded: i < 2 });
  await db.query(
    `insert into touches (id, request_hash, contact_crm_id, channel, summary, occurred_at, logged_by, answers) values
       ('r1', 'h', 'k0', 'call', 'Call one', now() - interval '1 day', 'Rep@bank.example', '{"main_goal": "Grow"}'),
       ('r2', 'h', 'k1', 'call', 'Call two', now() - interval '1 day', 'rep@bank.example', '{"main_goal": " "}'),
       ('r3', 'h', 'k5', 'email', 'Mail', now() - interval '1 day', 'rep@bank.example', '{"main_goal": "Hire"}'),
       ('r4', 'h', 'k2', 'call', 'Old call', now() - interval '20 days', 'rep@bank.example', '{}'),
       ('r5', 'h', 'k3', 'call', 'Other rep', now() - interval '1 day', 'bo@bank.example', '{}')`,
  );
  const deliveries = createDeliveryStore(db);
  data = createDashboardData({ alerts: createAlertStore(db), deliveries, dashboard: createDashboardStore(db) });
  app = await fullApp({
    dashboard: { auth: createTestDashboardAuth(), data, deliveries, responses: createResponseStore(db) },
  });
}, 120_000);
afterAll(async () => {
  data?.stop();
  await db?.close();
});

describe('rows behind every number', () => {
  it("the funnel's held and scheduled numbers open exactly the rows they count", async () => {
    const html = await get(`/dashboard/alerts/${LIVE}`);
    const link = (part: string) =>
      new RegExp(`<a href="([^"]+)" data-path="funnel\\|pending\\|parts\\|${part}\\|value">(\\d+)</a>`).exec(html)!;
    const held = link('held');
    const scheduled = link('scheduled');
    expect([Number(held[2]), Number(scheduled[2])]).toEqual([2, 3]);
    expect((await csv(held[1]!)).map((r) => r[1]).sort()).toEqual(['k0', 'k1']);
    expect((await csv(scheduled[1]!)).map((r) => r[1]).sort()).toEqual(['k2', 'k3', 'k4']);
    const step = /<a href="([^"]+)" data-path="funnel\|pending\|value">(\d+)<\/a>/.exec(html)!;
    expect(Number(step[2])).toBe(5);
    expect(await csv(step[1]!)).toHaveLength(5);
    // Every count on the page that opens ledger rows opens as many as it says (memberships and
    // unique contacts are the audience's counts, before suppression: they open the ledger as a whole).
    const audience = /data-path="funnel\|(memberships|unique)\|value"/;
    const links = [...html.matchAll(/<a href="([^"]+)"(?: data-path="([^"]*)")?>(\d+)<\/a>/g)]
      .filter((m) => m[1]!.startsWith(`/dashboard/alerts/${LIVE}/rows`) && !audience.test(m[0]))
      .map((m) => [m[1]!, Number(m[3])] as const);
    expect(links.length).toBeGreaterThan(20);
    for (const [href, n] of links) expect(await csv(href), href).toHaveLength(n);
  });

  it('across alerts: every row by channel, tier, relationship and week opens its alerts, which add up to it', async () => {
    const html = await get('/dashboard?weeks=4');
    for (const table of ['channel', 'tier', 'tenure', 'week']) {
      const rows = await csv(`/dashboard?weeks=4&table=${table}`);
      expect(rows.length, table).toBeGreaterThan(0);
      for (const [key, alerts, sent] of rows) {
        const href = `/dashboard/rates?weeks=4&amp;by=${table}&amp;key=${encodeURIComponent(key!).replaceAll('%20', '+')}`;
        // The row's Alerts and Sent both link to its alerts.
        expect(html, `${table} ${key}`).toContain(`<a href="${href}">${sent}</a>`);
        const perAlert = await csv(href);
        expect(perAlert, `${table} ${key}`).toHaveLength(Number(alerts));
        expect(
          perAlert.reduce((a, r) => a + Number(r[3]), 0),
          `${table} ${key}`,
        ).toBe(Number(sent));
      }
    }
    // And an alert's share opens its own sent rows of that slice: SMS of the finished alert.
    const page = await get('/dashboard/rates?weeks=4&by=channel&key=sms');
    const share = countLinks(page, `/dashboard/alerts/${DONE}/rows`);
    expect(share).toHaveLength(1);
    expect(share[0]![1]).toBe(1);
    expect((await csv(share[0]![0]))[0]![1]).toBe('k9');
  });

  it("the crow's nest: each question's count and each rep's touches open exactly their records", async () => {
    const html = await get('/dashboard/crows-nest?weeks=8');
    // Questions: "x% (n)" cells link to the n contacts with an answer; Contacts to the tier's contacts.
    const cells = [...html.matchAll(/<a href="(\/dashboard\/crows-nest\/answered[^"]+)">[\d.]+% \((\d+)\)<\/a>/g)];
    expect(cells.length).toBeGreaterThan(0);
    for (const [, href, n] of cells) expect(await csv(href!), href).toHaveLength(Number(n));
    const goal = cells.find(([, href]) => href!.includes('tier=gold') && href!.includes('question=main_goal'))!;
    // k0 answered, k1's answer is blank (not an answer), k5 is silver.
    expect((await csv(goal[1]!)).map((r) => [r[0], r[5]])).toEqual([['k0', 'Grow']]);
    const tiers = countLinks(html, '/dashboard/crows-nest/answered');
    expect(tiers.map(([, n]) => n)).toEqual([4, 6]);
    for (const [href, n] of tiers) expect(await csv(href)).toHaveLength(n);
    // Touches per rep per week: each non-zero cell.
    const touches = countLinks(html, '/dashboard/crows-nest/touches');
    expect(touches.reduce((a, [, n]) => a + n, 0)).toBe(5);
    for (const [href, n] of touches) expect(await csv(href), href).toHaveLength(n);
    const bo = touches.find(([href]) => href.includes('rep=bo%40bank.example'))!;
    expect((await csv(bo[0]))[0]![0]).toBe('r5');
  });

  it('rejects bad parameters with a 400 naming the field', async () => {
    for (const [path, field] of [
      ['/dashboard/rates?by=colour&key=x', 'by'],
      ['/dashboard/rates?by=channel', 'key'],
      ['/dashboard/crows-nest/answered?question=Main%20Goal', 'question'],
      ['/dashboard/crows-nest/touches?week=last', 'week'],
      [`/dashboard/alerts/${LIVE}/rows?waiting=later`, 'waiting'],
    ] as const) {
      const res = await app.request(path, { headers: viewer });
      expect(res.status, path).toBe(400);
      expect(await res.text()).toMatch(new RegExp(`^${field}:`));
    }
  });
});
