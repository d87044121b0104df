import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardData, type AlertFigures } from '../../../services/dashboard.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createCrmContactStore } from '../../../store/crm-contacts.js';
import { createDashboardStore } from '../../../store/dashboard.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createResponseStore } from '../../../store/responses.js';
import { createTestDashboardAuth, TEST_VIEWER_HEADER } from '../../../testkit/dashboard-test-auth.js';
import { testDb } from '../../../testkit/db.js';
import { fullApp } from './openapi/full-app.js';

/**
 * The dashboard's routes as the app mounts them, over a real store (PGlite, or PostgreSQL with
 * DATABASE_URL) and the test double of the sign-in (a viewer header; 401 without).
 */
const HOSTILE_TITLE = `<script>alert("t")</script> & </script><img src=x onerror=alert(1)>`;
const HOSTILE_NAME = `<img src=x onerror=alert(2)>`;
const ALERT = 'alr_01DASHUNIT000000000000000';
const viewer = { [TEST_VIEWER_HEADER]: 'ana@bank.example' };

let db: Db;
let app: Awaited<ReturnType<typeof fullApp>>;
let data: ReturnType<typeof createDashboardData>;

beforeAll(async () => {
  db = await testDb();
  await db.query(
    `insert into alerts (id, requester, title, body, topic, list_ids, channels, reply_owner, approver_group, status, summary, created_at)
     values ($1, 'analyst@bank.example', $2, 'Body', 'rates', '["1"]', '["email"]', 'analyst', 'alerts', 'dispatching',
       $3::jsonb, now() - interval '1 day')`,
    [
      ALERT,
      HOSTILE_TITLE,
      JSON.stringify({
        lists: [],
        totalMemberships: 12,
        uniqueContacts: 10,
        duplicates: 2,
        deliveries: 9,
        channelMix: { email: 9, slack: 0, sms: 0 },
        suppressedByReason: { DUPLICATE_EMAIL: 2, OPTED_OUT: 1 },
        delayedByQuietHours: 0,
      }),
    ],
  );
  // Nine rows: 5 sent (2 responded), 1 bounced, 1 failed, 1 unconfirmed, 1 pending.
  const statuses = ['sent', 'sent', 'sent', 'sent', 'sent', 'bounced', 'failed', 'unconfirmed', 'pending'];
  for (const [i, status] of statuses.entries()) {
    await db.query(
      `insert into deliveries (alert_id, contact_id, seq, email, channel, address, owner_id, token, status, sent_channel,
         sent_at, responded_at, attempts, last_error)
       values ($1, $2, $3, $4, 'email', $4, $5, $6, $7, case when $7 = 'pending' then null else 'email' end,
         case when $7 in ('sent', 'bounced') then now() - make_interval(secs => $3 * 10) end,
         case when $3 < 2 then now() end, 1, case when $7 = 'failed' then '=cmd|"/c calc"!A1' end)`,
      [ALERT, `c${i}`, i, `c${i}@example.com`, i % 2 ? 'owner-1' : 'owner-2', `tok-${i}`, status],
    );
  }
  await db.query(
    `insert into crm_contacts (id, email, first_name, last_name, owner_id, updated_at, search_text, value_tier, customer_since)
     values ('c0', 'c0@example.com', $1, 'Doe', 'owner-2', now(), 'x', 'gold', now() - interval '2 years'),
            ('c1', 'c1@example.com', 'Bo', 'Lee', 'owner-1', now(), 'x', 'platinum', null),
            ('c9', 'c9@example.com', 'Untouched', 'Una', 'owner-1', now(), 'x', 'silver', null)`,
    [HOSTILE_NAME],
  );
  await db.query(
    `insert into responses (alert_id, contact_id, kind, dedupe_key, body) values
       ($1, 'c0', 'interested', 'k1', null), ($1, 'c1', 'unsubscribe', 'k2', null)`,
    [ALERT],
  );
  await db.query(
    `insert into touches (id, request_hash, contact_crm_id, channel, summary, occurred_at, logged_by, answers)
     values ('t1', 'h', 'c0', 'call', 'Called', now() - interval '2 days', 'rep@bank.example', '{"main_goal": "Grow"}')`,
  );
  const alerts = createAlertStore(db);
  const deliveries = createDeliveryStore(db);
  data = createDashboardData({ alerts, deliveries, dashboard: createDashboardStore(db), pollMs: 50 });
  app = await fullApp({
    dashboard: { auth: createTestDashboardAuth(), data, deliveries, responses: createResponseStore(db) },
  });
}, 120_000);
afterAll(async () => {
  data?.stop();
  await db?.close();
});

describe('/dashboard', () => {
  it('answers 401 to every page, export and stream without a viewer', async () => {
    for (const path of [
      '/dashboard',
      `/dashboard/alerts/${ALERT}`,
      `/dashboard/alerts/${ALERT}?format=csv`,
      `/dashboard/alerts/${ALERT}/rows`,
      `/dashboard/alerts/${ALERT}/events`,
      '/dashboard/crows-nest',
      '/dashboard/assets/dashboard.js',
    ]) {
      expect((await app.request(path)).status, path).toBe(401);
    }
    // The sign-in routes are the sign-in module's, reached without a viewer (the double has none: 404).
    expect((await app.request('/dashboard/auth/login')).status).toBe(404);
  });

  it('escapes a hostile alert title and contact name everywhere, and serves a strict CSP', async () => {
    const res = await app.request(`/dashboard/alerts/${ALERT}`, { headers: viewer });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    // The embedded figures cannot close their block either.
    const block = html.match(/<script type="application\/json" id="figures">([\s\S]*?)<\/script>/)![1]!;
    expect(block).not.toContain('<');
    const figures = JSON.parse(block) as AlertFigures;
    expect(figures.alertId).toBe(ALERT);
    const rows = await (await app.request(`/dashboard/alerts/${ALERT}/rows?status=sent`, { headers: viewer })).text();
    expect(rows).toContain('&lt;img src=x onerror=alert(2)&gt; Doe');
    expect(rows).not.toContain(HOSTILE_NAME);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it("shows the API's counts, a funnel that adds up, and numbers that link to exactly their rows", async () => {
    const counts = await createDeliveryStore(db).counts(ALERT);
    const f = (await data.alertFigures(ALERT))!;
    expect(f.counts).toEqual(counts);
    expect(Object.fromEntries(f.funnel.map((s) => [s.key, s.value]))).toEqual({
      memberships: 12,
      unique: 10,
      suppressed: 1,
      pending: 1,
      sent: 5,
      bounced: 1,
      responded: 2,
      unsubscribed: 1,
    });
    expect(f.byValueTier.find((r) => r.key === 'gold')).toMatchObject({ rows: 1, sent: 1, responded: 1 });
    expect(f.byTenure.find((r) => r.key === '1-3 years')).toMatchObject({ rows: 1 });
    expect(f.sends.series.map((s) => s.name)).toEqual(['email']);
    expect(f.sends.series[0]!.values.reduce((a, b) => a + b, 0)).toBe(6); // 5 sent + 1 bounced have a send time

    const html = await (await app.request(`/dashboard/alerts/${ALERT}`, { headers: viewer })).text();
    // The unconfirmed (c7) and failed (c6) rows are listed on the page; no other row is.
    expect(html).toContain('c7@example.com');
    expect(html).toContain('c6@example.com');
    expect(html).not.toContain('c5@example.com');
    const href = html.match(/<a href="([^"]+)" data-path="funnel\|sent\|parts\|email\|value">5<\/a>/)![1]!;
    const csv = await (await app.request(`${href.replaceAll('&amp;', '&')}&format=csv`, { headers: viewer })).text();
    expect(csv.trim().split('\r\n')).toHaveLength(1 + 5);
  });

  it('exports every table as CSV, formulas defused', async () => {
    const res = await app.request(`/dashboard/alerts/${ALERT}/rows?status=failed&format=csv`, { headers: viewer });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,contact,name,/);
    expect(lines[1]).toContain(`"'=cmd|""/c calc""!A1"`);
    const owners = await (
      await app.request(`/dashboard/alerts/${ALERT}?format=csv&table=owner`, { headers: viewer })
    ).text();
    expect(owners.split('\r\n')[0]).toBe(
      'owner,rows,sent,bounced,failed,unconfirmed,pending,responded,response_rate_pct',
    );
    expect(owners).toContain('owner-1,4,');
    for (const t of ['topic', 'requester', 'channel', 'tier', 'tenure', 'week', 'approvals']) {
      const r = await app.request(`/dashboard?format=csv&table=${t}`, { headers: viewer });
      expect(r.status, t).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/csv');
    }
    for (const t of ['untouched', 'reps', 'questions', 'overdue']) {
      const r = await app.request(`/dashboard/crows-nest?format=csv&table=${t}`, { headers: viewer });
      expect(r.status, t).toBe(200);
    }
  });

  it('across alerts: a finished alert is read from its rollup, with the same figures as read live', async () => {
    const done = 'alr_01DASHUNITDONE0000000000';
    await db.query(
      `insert into alerts (id, requester, title, body, topic, list_ids, channels, reply_owner, approver_group, status)
       values ($1, 'Bob@bank.example', 'Done', 'Body', 'products', '["1"]', '["email"]', 'analyst', 'alerts', 'dispatching')`,
      [done],
    );
    await db.query(
      `insert into deliveries (alert_id, contact_id, seq, channel, address, token, status, sent_channel, sent_at, responded_at)
       select $1, 'd' || g, g, 'email', 'd' || g || '@example.com', 'dtok' || g,
         case when g < 36 then 'sent' else 'bounced' end, 'email', now(), case when g < 9 then now() end
       from generate_series(0, 39) g`,
      [done],
    );
    await db.query(
      `insert into responses (alert_id, contact_id, kind, dedupe_key) values ($1, 'd1', 'unsubscribe', 'dk1')`,
      [done],
    );
    const since = new Date(Date.now() - 7 * 86_400_000);
    const live = (await data.across(since)).byTopic.find((r) => r.key === 'products');
    await db.query(`update alerts set status = 'completed' where id = $1`, [done]);
    const rolled = (await data.across(since)).byTopic.find((r) => r.key === 'products');
    expect(
      (await db.query(`select count(*)::int as n from dashboard_alert_rollup where alert_id = $1`, [done])).rows,
    ).toEqual([{ n: 1 }]);
    expect(rolled).toEqual(live);
    expect(rolled).toEqual({
      key: 'products',
      alerts: 1,
      sent: 36,
      attempted: 40,
      responseRate: 25,
      unsubscribeRate: 2.8,
      bounceRate: 10,
    });
    expect((await data.across(since)).byRequester.map((r) => r.key)).toContain('bob@bank.example');
    // A response after the rollup: the next read recomputes it.
    await db.query(
      `insert into responses (alert_id, contact_id, kind, dedupe_key) values ($1, 'd2', 'unsubscribe', 'dk2')`,
      [done],
    );
    expect((await data.across(since)).byTopic.find((r) => r.key === 'products')?.unsubscribeRate).toBe(5.6);
  });

  it('rejects bad input with a 400 naming the field', async () => {
    const res = await app.request('/dashboard/crows-nest?days=-4', { headers: viewer });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^days:/);
    expect((await app.request('/dashboard/alerts/not-an-alert', { headers: viewer })).status).toBe(400);
    expect((await app.request('/dashboard/alerts/alr_01NOPE', { headers: viewer })).status).toBe(404);
  });

  it("the crow's nest counts customers not touched in N days by tier and owner, linked to them", async () => {
    const html = await (await app.request('/dashboard/crows-nest?days=30', { headers: viewer })).text();
    // c1 and c9 have no touch; c0 was touched two days ago.
    expect(html).toMatch(/id="untouched-total">2</);
    const list = await (
      await app.request('/dashboard/crows-nest/untouched?days=30&format=csv', { headers: viewer })
    ).text();
    expect(
      list
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['c1', 'c9']);
    const one = await (await app.request('/dashboard/crows-nest?days=1', { headers: viewer })).text();
    expect(one).toMatch(/id="untouched-total">3</);
    const q = await (await app.request('/dashboard/crows-nest?format=csv&table=questions', { headers: viewer })).text();
    expect(q).toMatch(/\r\ngold,1,0,0,1,/);
  });

  it("segments written by the contact sync are what the crow's nest groups by", async () => {
    const contacts = createCrmContactStore(db);
    const row = {
      id: 'sync-1',
      email: 'sync@example.com',
      firstName: 'Syn',
      lastName: 'Ced',
      companyName: null,
      ownerId: 'owner-3',
      updatedAt: new Date().toISOString(),
    };
    await contacts.upsert([{ ...row, valueTier: 'bronze', customerSince: '2020-01-01T00:00:00.000Z' }]);
    const groups = await createDashboardStore(db).untouched(30);
    expect(groups).toContainEqual({ valueTier: 'bronze', ownerId: 'owner-3', contacts: 1 });
    // A later write without segments leaves them as they are.
    await contacts.upsert([{ ...row, lastName: 'Changed' }]);
    expect(await createDashboardStore(db).untouched(30)).toContainEqual({
      valueTier: 'bronze',
      ownerId: 'owner-3',
      contacts: 1,
    });
    await db.query(`delete from crm_contact_terms where contact_id = 'sync-1'`);
    await db.query(`delete from crm_contacts where id = 'sync-1'`);
  });

  it('streams changed figures to every viewer of an alert from one shared poll', async () => {
    const open = async () => {
      const res = await app.request(`/dashboard/alerts/${ALERT}/events`, { headers: viewer });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      return res.body!.getReader();
    };
    const decoder = new TextDecoder();
    const nextFigures = async (reader: ReadableStreamDefaultReader<Uint8Array>): Promise<AlertFigures> => {
      let buffer = '';
      for (;;) {
        const { value } = await reader.read();
        buffer += decoder.decode(value);
        const m = buffer.match(/event: figures\ndata: (.*)\n\n/);
        if (m) return JSON.parse(m[1]!) as AlertFigures;
      }
    };
    const a = await open();
    const b = await open();
    expect((await nextFigures(a)).counts.pending).toBe(1);
    expect((await nextFigures(b)).counts.pending).toBe(1);
    expect(data.livePolls()).toEqual([ALERT]);
    await db.query(
      `update deliveries set status = 'sent', sent_at = now(), sent_channel = 'email' where alert_id = $1 and status = 'pending'`,
      [ALERT],
    );
    const [fa, fb] = await Promise.all([nextFigures(a), nextFigures(b)]);
    expect(fa.counts.sent).toBe(6);
    expect(fb.counts).toEqual(fa.counts);
    await a.cancel();
    await b.cancel();
    await expect.poll(() => data.livePolls()).toEqual([]);
  });
});
