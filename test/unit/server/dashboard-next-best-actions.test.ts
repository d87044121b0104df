import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUESTIONS } from '../../../domain/questions.js';
import { createDashboardData } from '../../../services/dashboard.js';
import { createNextBestActionBook } from '../../../services/next-best-action-book.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createCrmContactStore, type ContactSummary } from '../../../store/crm-contacts.js';
import { createDashboardStore } from '../../../store/dashboard.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createNextBestActionStore } from '../../../store/next-best-actions.js';
import { createResponseStore } from '../../../store/responses.js';
import { createTestDashboardAuth, TEST_VIEWER_HEADER } from '../../../testkit/dashboard-test-auth.js';
import { testDb } from '../../../testkit/db.js';
import { fullApp } from './openapi/full-app.js';

/**
 * Next best actions pending in the crow's nest: the book's refresh works out each contact's action
 * from what the contact sync wrote and the touches logged, the page counts them by rule and owner,
 * and every count opens (and exports) exactly the contacts behind it.
 */
const viewer = { [TEST_VIEWER_HEADER]: 'ana@bank.example' };
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

let db: Db;
let app: Awaited<ReturnType<typeof fullApp>>;
let data: ReturnType<typeof createDashboardData>;
let book: ReturnType<typeof createNextBestActionBook>;
const contacts = () => createCrmContactStore(db);

const contact = (id: string, ownerId: string | null, nbaProperties: Record<string, string | null>): ContactSummary => ({
  id,
  email: `${id}@example.com`,
  firstName: id.toUpperCase(),
  lastName: 'Book',
  companyName: null,
  ownerId,
  updatedAt: new Date().toISOString(),
  valueTier: 'gold',
  customerSince: null,
  nbaProperties,
});

async function logTouch(id: string, contactId: string, occurredAt: string) {
  await db.query(
    `insert into touches (id, request_hash, contact_crm_id, channel, summary, occurred_at, logged_by, answers)
     values ($1, 'h', $2, 'call', 'Called', $3, 'rep@bank.example', '{}')`,
    [id, contactId, occurredAt],
  );
}

const page = async (path: string) => {
  const res = await app.request(path, { headers: viewer });
  expect(res.status, path).toBe(200);
  return res.text();
};
const csvRows = async (path: string) =>
  (await page(path))
    .trim()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(','));
const total = async () => Number(/id="actions-total">(\d+)</.exec(await page('/dashboard/crows-nest'))?.[1]);

beforeAll(async () => {
  db = await testDb();
  // Written the way the contact sync writes them: the rules' properties with the summary.
  await contacts().upsert([
    contact('nba-plat', 'owner-1', { rapport_total_revenue: '600000', rapport_last_purchase_date: daysAgo(10) }),
    contact('nba-lapsed', 'owner-2', { rapport_total_revenue: '5000', rapport_last_purchase_date: daysAgo(500) }),
    contact('nba-optout', 'owner-1', { hs_email_optout: 'true' }),
    contact('nba-quiet', 'owner-1', {}),
    contact('nba-new', null, {}),
  ]);
  await logTouch('t-quiet', 'nba-quiet', daysAgo(70));
  const deliveries = createDeliveryStore(db);
  data = createDashboardData({ alerts: createAlertStore(db), deliveries, dashboard: createDashboardStore(db) });
  book = createNextBestActionBook({ store: createNextBestActionStore(db), questions: DEFAULT_QUESTIONS });
  app = await fullApp({
    dashboard: { auth: createTestDashboardAuth(), data, deliveries, responses: createResponseStore(db) },
  });
}, 120_000);
afterAll(async () => {
  data?.stop();
  await db?.close();
});

describe("next best actions pending in the crow's nest", () => {
  it('says none are worked out until the refresh has run, then works them out in bounded batches', async () => {
    expect(await total()).toBe(0);
    expect(await page('/dashboard/crows-nest')).toContain('Not worked out yet for any of 5 contacts.');
    expect(await book.refresh(2)).toBe(2);
    expect(await book.refresh(10)).toBe(3);
    // Nothing is due any more: the next refresh reads nothing.
    expect(await book.refresh(10)).toBe(0);
    expect(await page('/dashboard/crows-nest')).toContain('Worked out for 5 of 5 contacts');
  });

  it('counts them by action and owner, each count linked to exactly its contacts, and exports both as CSV', async () => {
    expect(await total()).toBe(5);
    const table = await csvRows('/dashboard/crows-nest?format=csv&table=actions');
    expect(table.map(([rule, , owner, n]) => [rule, owner, n])).toEqual([
      ['learn-more', '', '1'],
      ['platinum-check-in', 'owner-1', '1'],
      ['reconnect', 'owner-1', '1'],
      ['respect-opt-out', 'owner-1', '1'],
      ['win-back-lapsed', 'owner-2', '1'],
    ]);
    const html = await page('/dashboard/crows-nest');
    // The action in general words, and its count linking to its contacts.
    expect(html).toContain('Invite the customer to an executive business review');
    const href = /<a href="([^"]+)">1<\/a><\/td><td>[^<]*<\/td><\/tr>/.exec(
      html.slice(html.indexOf('Offer a win-back review')),
    )?.[1];
    expect(href?.replaceAll('&amp;', '&')).toBe('/dashboard/crows-nest/actions?rule=win-back-lapsed&owner=owner-2');
    const rows = await page(href!.replaceAll('&amp;', '&'));
    expect(rows).toContain('nba-lapsed@example.com');
    expect(rows).not.toContain('nba-plat@example.com');
    // The contact's own action, filled in with its facts.
    expect(rows).toContain('Offer a win-back review of your company&#39;s account');
    const all = await csvRows('/dashboard/crows-nest/actions?format=csv');
    expect(all.map((r) => r[0]).sort()).toEqual(['nba-lapsed', 'nba-new', 'nba-optout', 'nba-plat', 'nba-quiet']);
    const noOwner = await csvRows('/dashboard/crows-nest/actions?owner=&format=csv');
    expect(noOwner.map((r) => r[0])).toEqual(['nba-new']);
  });

  it('a touch logged takes the action off the pending count at once; the refresh then gives the next one', async () => {
    await logTouch('t-quiet-2', 'nba-quiet', new Date().toISOString());
    expect(await total()).toBe(4);
    expect((await csvRows('/dashboard/crows-nest/actions?rule=reconnect&format=csv')).length).toBe(0);
    // The touch made the contact due: its action is worked out again, "reconnect" no longer holds.
    expect(await book.refresh(10)).toBe(1);
    expect(await total()).toBe(5);
    const quiet = (await csvRows('/dashboard/crows-nest/actions?format=csv')).find((r) => r[0] === 'nba-quiet');
    expect(quiet?.[5]).toBe('learn-more');
  });

  it('a change the contact sync brings in makes the contact due, and its action follows', async () => {
    const bought = { rapport_total_revenue: '700000', rapport_last_purchase_date: daysAgo(3) };
    await contacts().upsert([contact('nba-new', null, bought)]);
    expect(await book.refresh(10)).toBe(1);
    const rows = await csvRows('/dashboard/crows-nest/actions?rule=platinum-check-in&format=csv');
    expect(rows.map((r) => r[0]).sort()).toEqual(['nba-new', 'nba-plat']);
    // The same properties again change nothing: nothing is due.
    await contacts().upsert([contact('nba-new', null, { ...bought })]);
    expect(await book.refresh(10)).toBe(0);
  });

  it('rejects a bad rule with a 400 naming it', async () => {
    const res = await app.request('/dashboard/crows-nest/actions?rule=Bad%20Rule', { headers: viewer });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^rule:/);
  });
});
