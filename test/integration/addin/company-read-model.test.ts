import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_COMPANIES } from '../../../testkit/demo-data.js';
import { SANDBOX_TEST_TOKEN, eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';

/**
 * The company read model behind the customer context: filled from HubSpot at start-up, kept in
 * step by the sync (companies modified since the last one, found by hs_lastmodifieddate despite
 * the search index's lag), so a pane open reads the contact's company without a HubSpot request.
 */

const COMPANY_BY_ID = 'GET /crm/v3/objects/companies/:id';
const SEARCH_LAG_MS = 2_000;

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({
    env: { CONTACT_SYNC_INTERVAL_SECONDS: '1' },
    // The index trails writes as HubSpot's does: a sync that looked only since its last start would miss changes.
    sandboxRealism: { searchLagMs: SEARCH_LAG_MS },
  });
});
afterAll(async () => {
  await t?.stop();
});

const companyReads = () => t.sandbox.stats().byRoute[COMPANY_BY_ID] ?? 0;

async function context(email: string) {
  const auth = `Bearer ${await t.issuer!.mint('ana.rep@contoso.example')}`;
  const res = await t.rapport.app.request(`/api/addin/context?email=${encodeURIComponent(email)}`, {
    headers: { authorization: auth },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    contact: { id: string };
    company: { id: string; name: string; domain: string } | null;
  };
}

async function crm(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TEST_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { id: string };
}

const rows = async () =>
  Number((await t.db.query<{ n: string }>('select count(*) as n from crm_companies')).rows[0]!.n);

describe('company read model', () => {
  it('is filled from HubSpot at start-up; a pane open reads its company from it, asking HubSpot nothing for it', async () => {
    const sync = t.rapport.companyReadModel.sync!;
    await eventually(async () => (sync.ready() ? true : undefined), 60_000, 100);
    expect(await rows()).toBe(t.sandbox.records('companies').filter((r) => !r.archived).length);

    const before = companyReads();
    const joe = await context(DEMO.joe.email);
    const maria = await context(DEMO.maria.email);
    expect(joe.company).toEqual({ ...DEMO_COMPANIES.acme });
    expect(maria.company?.name).toBe(DEMO_COMPANIES.brightwave.name);
    expect(companyReads()).toBe(before);
  });

  it('shows a rename made in HubSpot after the next sync, though the search index lags the write', async () => {
    await crm('PATCH', `/crm/v3/objects/companies/${DEMO_COMPANIES.acme.id}`, {
      properties: { name: 'Acme Freight & Logistics' },
    });
    const before = companyReads();
    const shown = await eventually(
      async () => {
        const { company } = await context(DEMO.joe.email);
        return company?.name === 'Acme Freight & Logistics' ? company : undefined;
      },
      30_000,
      250,
    );
    expect(shown.id).toBe(DEMO_COMPANIES.acme.id);
    expect(companyReads()).toBe(before);
  });

  it('reads a company it does not hold yet from HubSpot once, then from the read model', async () => {
    // The sync stops: the company below can only come in through the pane's read.
    await t.rapport.companyReadModel.sync!.stop();
    const company = await crm('POST', '/crm/v3/objects/companies', {
      properties: { name: 'Quintrell Shipping', domain: 'quintrell-shipping.example' },
    });
    await crm('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'zoe@quintrell-shipping.example', firstname: 'Zoë', lastname: 'Quintrell' },
      associations: [
        { to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] },
      ],
    });

    const before = companyReads();
    expect((await context('zoe@quintrell-shipping.example')).company).toEqual({
      id: company.id,
      name: 'Quintrell Shipping',
      domain: 'quintrell-shipping.example',
    });
    expect(companyReads()).toBe(before + 1);
    const { rows: stored } = await t.db.query<{ name: string }>('select name from crm_companies where id = $1', [
      company.id,
    ]);
    expect(stored).toEqual([{ name: 'Quintrell Shipping' }]);
    expect((await context('zoe@quintrell-shipping.example')).company?.name).toBe('Quintrell Shipping');
    expect(companyReads()).toBe(before + 1);
  });

  it('asks HubSpot while the read model is stale (no sync for minutes), not the stale copy', async () => {
    await t.db.query(`update crm_sync_state set watermark = now() - interval '1 hour' where name = 'companies'`);
    await crm('PATCH', `/crm/v3/objects/companies/${DEMO_COMPANIES.brightwave.id}`, {
      properties: { name: 'Brightwave Studios' },
    });
    const before = companyReads();
    expect((await context(DEMO.maria.email)).company?.name).toBe('Brightwave Studios');
    expect(companyReads()).toBe(before + 1);
  });
});
