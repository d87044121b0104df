import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CONTACTS,
  DEMO_LISTS,
  DEMO_OWNERS,
  SEED,
  startHubSpotSandbox,
  type HubSpotSandbox,
} from '../../../sandbox/hubspot/index.js';

const TOKEN = 'sandbox-contract-token';
let sandbox: HubSpotSandbox;

async function call(
  path: string,
  init: { method?: string; json?: unknown; token?: string | null; base?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  const res = await fetch(`${init.base ?? sandbox.url}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read loosely shaped JSON
    body: (text ? JSON.parse(text) : undefined) as Record<string, any>,
  };
}

const note = (properties: Record<string, string>, associations: unknown[] = []) => ({
  properties: { hs_timestamp: new Date().toISOString(), hs_note_body: 'hello', ...properties },
  associations,
});

beforeAll(async () => {
  // Searches are limited to 5/s like HubSpot's; the limit itself has its own test below.
  sandbox = await startHubSpotSandbox({ seed: true, accessToken: TOKEN, rateLimit: { searchPerSecond: 100 } });
  await call('/crm/v3/properties/notes/groups', { json: { name: 'rapport', label: 'Rapport' } });
  await call('/crm/v3/properties/notes', {
    json: { name: 'rapport_idempotency_key', label: 'Key', type: 'string', fieldType: 'text', groupName: 'rapport' },
  });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.clear();
});

describe('seeded book of business', () => {
  it('is believable and the same every time', async () => {
    const contacts = sandbox.records('contacts');
    expect(contacts.length).toBe(SEED.contacts);
    expect(sandbox.records('companies').length).toBe(SEED.companies);
    for (const demo of Object.values(DEMO_CONTACTS)) {
      expect(contacts.find((c) => c.id === demo.id)?.properties.email).toBe(demo.email);
    }
    const props = (key: string) => contacts.map((c) => c.properties[key]);
    expect(new Set(props('rapport_preferred_channel'))).toEqual(new Set(['email', 'slack', 'sms']));
    expect(props('hs_email_optout').filter((v) => v === 'true').length).toBeGreaterThan(10);
    expect(props('rapport_slack_user_id').filter(Boolean).length).toBeGreaterThanOrEqual(5);
    expect(new Set(props('hs_timezone')).size).toBeGreaterThanOrEqual(10);
    expect(props('phone').every(Boolean)).toBe(true);
    const invalid = contacts.filter((c) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.properties.email!)).map((c) => c.id);
    expect(invalid).toEqual([DEMO_CONTACTS.dave.id, DEMO_CONTACTS.priya.id, '161', '413']);
    const lower = props('email').map((e) => e!.toLowerCase());
    const duplicates = contacts
      .filter((c, i) => lower.indexOf(c.properties.email!.toLowerCase()) !== i)
      .map((c) => c.id);
    expect(duplicates).toEqual([DEMO_CONTACTS.samUpper.id, '232', '373']);

    const other = await startHubSpotSandbox({ seed: true });
    try {
      expect(other.records('contacts').map((c) => [c.id, c.properties.email, c.properties.lifecyclestage])).toEqual(
        contacts.map((c) => [c.id, c.properties.email, c.properties.lifecyclestage]),
      );
    } finally {
      await other.close();
    }
  });

  it('has five owners and six overlapping lists', async () => {
    const owners = await call('/crm/v3/owners?limit=2');
    expect(owners.body.results.map((o: { email: string }) => o.email)).toEqual(
      DEMO_OWNERS.slice(0, 2).map((o) => o.email),
    );
    const rest = await call(`/crm/v3/owners?limit=10&after=${owners.body.paging.next.after}`);
    expect(rest.body.results).toHaveLength(3);
    expect((await call(`/crm/v3/owners?email=${DEMO_OWNERS[2].email.toUpperCase()}`)).body.results[0].id).toBe(
      DEMO_OWNERS[2].id,
    );

    const all = await call('/crm/v3/lists/search', { json: { query: '' } });
    const sizes = Object.fromEntries(
      all.body.lists.map((l: { listId: string; additionalProperties: { hs_list_size: string } }) => [
        l.listId,
        Number(l.additionalProperties.hs_list_size),
      ]),
    );
    // The sizes sandbox/hubspot/README.md documents.
    expect(sizes).toEqual({ 1: 40, 2: 237, 3: 197, 4: 116, 5: 151, 6: 201 });
    const lists = await call('/crm/v3/lists/search', { json: { query: '', count: 3 } });
    expect(lists.body).toMatchObject({ total: 6, hasMore: true, offset: 3 });
    const members = async (id: string) =>
      (await call(`/crm/v3/lists/${id}/memberships?limit=250`)).body.results.map(
        (m: { recordId: string }) => m.recordId,
      );
    const newsletter = await members(DEMO_LISTS.newsletter.id);
    const q4 = await members(DEMO_LISTS.q4CheckIn.id);
    expect(newsletter.filter((id: string) => q4.includes(id)).length).toBeGreaterThan(0);
    expect(newsletter).toContain(DEMO_CONTACTS.sam.id);
    expect(q4).toContain(DEMO_CONTACTS.samUpper.id);
  });
});

describe('HubSpot request and response shapes', () => {
  it('reads by id or email, with associations, and answers 404 in the error envelope', async () => {
    const joe = await call(
      `/crm/v3/objects/contacts/${encodeURIComponent('Joe.Smith@ACME-logistics.example')}?idProperty=email&properties=email,lifecyclestage,unknown_prop&associations=companies`,
    );
    expect(joe.status).toBe(200);
    expect(joe.body).toMatchObject({
      id: DEMO_CONTACTS.joe.id,
      archived: false,
      properties: { lifecyclestage: 'customer' },
    });
    expect(joe.body.properties).not.toHaveProperty('unknown_prop');
    expect(joe.body.associations.companies.results).toEqual([
      { id: '5001', type: 'contact_to_company' },
      { id: '5001', type: 'contact_to_company_unlabeled' },
    ]);
    expect(joe.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(joe.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');

    const missing = await call('/crm/v3/objects/contacts/424242');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect(missing.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect((await call('/crm/v3/owners', { token: null })).status).toBe(401);
    expect((await call('/crm/v3/owners', { token: 'nope' })).body.category).toBe('INVALID_AUTHENTICATION');
  });

  it('validates writes like HubSpot, naming the property', async () => {
    const unknown = await call('/crm/v3/objects/notes', { json: note({ made_up: 'x' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.category).toBe('VALIDATION_ERROR');
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect(unknown.body.message).toContain('made_up');

    const noTime = await call('/crm/v3/objects/notes', { json: { properties: { hs_note_body: 'x' } } });
    expect(noTime.body.message).toContain('hs_timestamp');
    const tooLong = await call('/crm/v3/objects/notes', { json: note({ hs_note_body: 'x'.repeat(65_537) }) });
    expect(tooLong.body.message).toContain('hs_note_body');
    const noSubject = await call('/crm/v3/objects/tasks', {
      json: { properties: { hs_timestamp: new Date().toISOString() } },
    });
    expect(noSubject.body.message).toContain('hs_task_subject');
    const badOption = await call(`/crm/v3/objects/contacts/${DEMO_CONTACTS.joe.id}`, {
      method: 'PATCH',
      json: { properties: { lifecyclestage: 'vip' } },
    });
    expect(badOption.body.message).toContain('INVALID_OPTION');
    const badDate = await call(`/crm/v3/objects/contacts/${DEMO_CONTACTS.joe.id}`, {
      method: 'PATCH',
      json: { properties: { rapport_last_purchase_date: '2026-01-05T10:00:00Z' } },
    });
    expect(badDate.body.message).toContain('midnight');
    const badAssociation = await call('/crm/v3/objects/notes', {
      json: note({}, [
        {
          to: { id: DEMO_CONTACTS.joe.id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }],
        },
      ]),
    });
    expect(badAssociation.status).toBe(400);
  });

  it('creates engagements with inline associations and reads them back through v4', async () => {
    const created = await call('/crm/v3/objects/notes', {
      json: note({ rapport_idempotency_key: 'shape-1' }, [
        {
          to: { id: DEMO_CONTACTS.olivia.id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }],
        },
        { to: { id: '5004' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 190 }] },
      ]),
    });
    expect(created.status).toBe(201);
    expect(created.body.properties).toMatchObject({
      rapport_idempotency_key: 'shape-1',
      hs_object_id: created.body.id,
    });
    const fromContact = await call(`/crm/v4/objects/contacts/${DEMO_CONTACTS.olivia.id}/associations/notes`);
    expect(fromContact.body.results).toContainEqual({
      toObjectId: Number(created.body.id),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 201, label: null }],
    });
    const paged = await call(`/crm/v4/objects/contacts/${DEMO_CONTACTS.joe.id}/associations/notes?limit=2`);
    expect(paged.body.results).toHaveLength(2);
    expect(paged.body.paging.next.after).toBe('2');
  });

  it('reads the associations of many records in one v4 batch read; none is a 207 error entry', async () => {
    const batch = await call('/crm/v4/associations/contacts/notes/batch/read', {
      json: { inputs: [{ id: DEMO_CONTACTS.joe.id }, { id: '99999999' }] },
    });
    expect(batch.status).toBe(207);
    expect(batch.body.results).toHaveLength(1);
    expect(batch.body.results[0].from).toEqual({ id: DEMO_CONTACTS.joe.id });
    const single = await call(`/crm/v4/objects/contacts/${DEMO_CONTACTS.joe.id}/associations/notes`);
    expect(batch.body.results[0].to).toEqual(single.body.results);
    expect(batch.body.errors).toEqual([
      expect.objectContaining({ status: 'error', context: { fromObjectId: ['99999999'] } }),
    ]);
    const tooMany = await call('/crm/v4/associations/contacts/notes/batch/read', {
      json: { inputs: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) },
    });
    expect(tooMany.status).toBe(400);
  });

  it('batches: 100 inputs at most, 207 for unknown ids, COMPLETE envelopes', async () => {
    const tooMany = await call('/crm/v3/objects/notes/batch/create', {
      json: { inputs: Array.from({ length: 101 }, () => note({})) },
    });
    expect(tooMany.status).toBe(400);
    const read = await call('/crm/v3/objects/contacts/batch/read', {
      json: {
        inputs: [{ id: DEMO_CONTACTS.joe.email }, { id: 'nobody@x.example' }],
        idProperty: 'email',
        properties: ['firstname'],
      },
    });
    expect(read.status).toBe(207);
    expect(read.body).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['nobody@x.example'] } }],
    });
    expect(read.body.results[0].properties).toMatchObject({ firstname: 'Joe', email: DEMO_CONTACTS.joe.email });
    const dupes = await call('/crm/v3/objects/contacts/batch/update', {
      json: {
        inputs: [
          { id: '101', properties: { jobtitle: 'a' } },
          { id: '101', properties: { jobtitle: 'b' } },
        ],
      },
    });
    expect(dupes.status).toBe(400);
  });

  it('conflicts: an existing email, an existing property', async () => {
    const contact = await call('/crm/v3/objects/contacts', {
      json: { properties: { email: DEMO_CONTACTS.joe.email.toUpperCase() } },
    });
    expect(contact.status).toBe(409);
    expect(contact.body.message).toBe(`Contact already exists. Existing ID: ${DEMO_CONTACTS.joe.id}`);
    const property = await call('/crm/v3/properties/notes', {
      json: { name: 'rapport_idempotency_key', label: 'Key', type: 'string', fieldType: 'text', groupName: 'rapport' },
    });
    expect(property.status).toBe(409);
  });

  it('searches with filters, query, sorts, paging and the 10,000 cap', async () => {
    const search = (body: unknown) => call('/crm/v3/objects/contacts/search', { json: body });
    const eq = await search({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'OLIVIA.CHEN@northpeak-analytics.example' }] },
      ],
    });
    expect(eq.body.results.map((r: { id: string }) => r.id)).toEqual([DEMO_CONTACTS.olivia.id]);
    expect(eq.headers.get('x-hubspot-ratelimit-max')).toBeNull();
    // IN compares with the lower-cased index: upper-case values never match.
    const inUpper = await search({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'IN', values: [DEMO_CONTACTS.olivia.email.toUpperCase()] }] },
      ],
    });
    expect(inUpper.body.total).toBe(0);
    const rich = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'rapport_total_revenue', operator: 'GT', value: '500000' },
            { propertyName: 'rapport_slack_user_id', operator: 'HAS_PROPERTY' },
          ],
        },
      ],
      sorts: [{ propertyName: 'rapport_total_revenue', direction: 'DESCENDING' }],
      properties: ['rapport_total_revenue'],
    });
    expect(rich.body.results.map((r: { id: string }) => r.id)).toContain(DEMO_CONTACTS.aisha.id);
    const revenues = rich.body.results.map((r: { properties: { rapport_total_revenue: string } }) =>
      Number(r.properties.rapport_total_revenue),
    );
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
    expect(Math.min(...revenues)).toBeGreaterThan(500_000);
    const token = await search({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@acme-logistics.example' }] },
      ],
      limit: 200,
    });
    expect(token.body.results.map((r: { id: string }) => r.id)).toContain(DEMO_CONTACTS.joe.id);
    const page1 = await search({ query: 'acme', limit: 1 });
    expect(page1.body.total).toBeGreaterThan(1);
    expect(page1.body.paging.next.after).toBe('1');
    expect((await search({ limit: 201 })).status).toBe(400);
    expect((await search({ after: '10000', limit: 1 })).status).toBe(400);
  });
});

describe('rate limits and faults', () => {
  it('answers 429 with policy, Retry-After and counts, after the 10-second budget', async () => {
    const tight = await startHubSpotSandbox({ rateLimit: { perTenSeconds: 3, searchPerSecond: 2 } });
    try {
      for (let i = 0; i < 3; i++) expect((await call('/crm/v3/owners', { base: tight.url })).status).toBe(200);
      const limited = await call('/crm/v3/owners', { base: tight.url });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({
        status: 'error',
        policyName: 'TEN_SECONDLY_ROLLING',
        errorType: 'RATE_LIMIT',
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Searches have their own per-second limit.
      const searches = await Promise.all(
        [1, 2, 3].map(() => call('/crm/v3/objects/contacts/search', { base: tight.url, json: {} })),
      );
      expect(searches.map((s) => s.status).sort()).toEqual([200, 200, 429]);
      expect(searches.find((s) => s.status === 429)!.body.policyName).toBe('SECONDLY');
      expect(tight.stats()).toMatchObject({
        rateLimited: 2,
        rateLimitedByPolicy: { TEN_SECONDLY_ROLLING: 1, SECONDLY: 1 },
        // What the clients asked within 10 s, refused requests included: more than the budget.
        busiestTenSeconds: 7,
      });
    } finally {
      await tight.close();
    }
  });

  it('can answer 429 without Retry-After, as HubSpot sometimes does, and keeps the busiest window', async () => {
    const bare = await startHubSpotSandbox({ rateLimit: { perTenSeconds: 2, retryAfter: false }, logRequests: true });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await call('/crm/v3/owners', { base: bare.url }));
      expect(statuses.map((s) => s.status)).toEqual([200, 200, 429]);
      expect(statuses[2]!.body.policyName).toBe('TEN_SECONDLY_ROLLING');
      expect(statuses[2]!.headers.has('retry-after')).toBe(false);
      // The refused call was not served: the busiest window holds the two that were.
      expect(bare.stats()).toMatchObject({ peakPerTenSeconds: 2, rateLimited: 1 });
      expect(bare.requests().map((r) => [r.route, r.status])).toEqual([
        ['GET /crm/v3/owners', 200],
        ['GET /crm/v3/owners', 200],
        ['GET /crm/v3/owners', 429],
      ]);

      await call('/__sandbox/faults', { base: bare.url, json: { status: 429, omitRetryAfter: true, times: 1 } });
      const injected = await call('/crm/v3/owners', { base: bare.url });
      expect(injected.status).toBe(429);
      expect(injected.headers.has('retry-after')).toBe(false);
    } finally {
      await bare.close();
    }
  });

  it('switches faults over HTTP: status for a while, latency, refusing connections', async () => {
    await call('/__sandbox/faults', { json: { status: 503, durationMs: 300 } });
    expect((await call('/crm/v3/owners')).status).toBe(503);
    await new Promise((r) => setTimeout(r, 350));
    expect((await call('/crm/v3/owners')).status).toBe(200);

    await call('/__sandbox/faults', { json: { status: 429, retryAfterSeconds: 7, times: 1 } });
    const limited = await call('/crm/v3/owners');
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('/crm/v3/owners')).status).toBe(200);

    await call('/__sandbox/faults', { json: { latencyMs: 150, pathPrefix: '/crm/v3/owners' } });
    const started = Date.now();
    await call('/crm/v3/owners');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await call('/__sandbox/faults', { method: 'DELETE' });

    expect((await call('/__sandbox/faults', { json: { refuse: true } })).status).toBe(400);
    await call('/__sandbox/faults', { json: { refuse: true, durationMs: 400 } });
    await new Promise((r) => setTimeout(r, 60));
    await expect(fetch(`${sandbox.url}/crm/v3/owners`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    expect((await call('/crm/v3/owners')).status).toBe(200);
  });

  it('counts requests and engagements, and resets', async () => {
    const other = await startHubSpotSandbox({ seed: true });
    try {
      await call('/crm/v3/objects/notes/batch/create', { base: other.url, json: { inputs: [note({}), note({})] } });
      const stats = (await call('/__sandbox/stats', { base: other.url })).body;
      expect(stats).toMatchObject({
        requests: 1,
        engagementsCreated: 2,
        byRoute: { 'POST /crm/v3/objects/notes/batch/create': 1 },
      });
      const notes = other.records('notes').length;
      await call('/__sandbox/reset', { base: other.url, json: {} });
      expect(other.records('notes').length).toBe(notes - 2);
      expect(other.stats().requests).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('persistence', () => {
  it('keeps state in a JSON file across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hubspot-sandbox-'));
    try {
      const first = await startHubSpotSandbox({ dataDir: dir, seed: true });
      const created = await call('/crm/v3/objects/notes', {
        base: first.url,
        json: note({ hs_note_body: 'remember me' }),
      });
      await first.close();
      const saved = JSON.parse(await readFile(join(dir, 'hubspot-sandbox.json'), 'utf8')) as { version: number };
      expect(saved.version).toBe(1);
      const second = await startHubSpotSandbox({ dataDir: dir, seed: true });
      try {
        const again = await call(`/crm/v3/objects/notes/${created.body.id}?properties=hs_note_body`, {
          base: second.url,
        });
        expect(again.body.properties.hs_note_body).toBe('remember me');
        expect(second.records('contacts')).toHaveLength(SEED.contacts);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
