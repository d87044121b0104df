import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HUBSPOT_TIME_ZONES } from '../../../sandbox/hubspot/time-zones.js';
import { DEMO_CONTACTS, DEMO_LISTS, startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';

const TOKEN = 'sandbox-realism-token';
let sandbox: HubSpotSandbox;

async function call(path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read loosely shaped JSON
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ seed: true, accessToken: TOKEN });
});
afterAll(() => sandbox?.close());
beforeEach(() => sandbox.reset());

describe('403 MISSING_SCOPES from a configured scope set', () => {
  it("refuses a route whose scope the token lacks with HubSpot's envelope, and serves the rest", async () => {
    sandbox.access.scopes = new Set(['crm.objects.contacts.read']);
    const owners = await call('/crm/v3/owners');
    expect(owners.status).toBe(403);
    expect(owners.body).toMatchObject({
      status: 'error',
      category: 'MISSING_SCOPES',
      errors: [{ context: { requiredGranularScopes: ['crm.objects.owners.read'] } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    });
    expect(owners.body.correlationId).toEqual(expect.any(String));
    expect((await call(`/crm/v3/objects/contacts/${DEMO_CONTACTS.joe.id}`)).status).toBe(200);
  });

  it('gates engagements by the contacts scopes and property creation by the schema write scope', async () => {
    await call('/__sandbox/access', { json: { scopes: ['crm.objects.contacts.read', 'crm.schemas.contacts.read'] } });
    const note = await call('/crm/v3/objects/notes', {
      json: { properties: { hs_timestamp: new Date().toISOString(), hs_note_body: 'x' } },
    });
    expect(note.status).toBe(403);
    expect(note.body.errors[0].context.requiredGranularScopes).toEqual(['crm.objects.contacts.write']);
    expect((await call('/crm/v3/objects/notes/search', { json: { filterGroups: [] } })).status).toBe(200);
    expect((await call('/crm/v3/properties/contacts')).status).toBe(200);
    const create = await call('/crm/v3/properties/contacts', {
      json: { name: 'x_y', label: 'X', type: 'string', fieldType: 'text', groupName: 'contactinformation' },
    });
    expect(create.status).toBe(403);
    expect(create.body.errors[0].context.requiredGranularScopes).toEqual(['crm.schemas.contacts.write']);
  });

  it('answers the access-token info endpoint with the scopes the token holds', async () => {
    const all = await call('/oauth/v2/private-apps/get/access-token-info', { json: { tokenKey: TOKEN } });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      hubId: expect.any(Number),
      appId: expect.any(Number),
      userId: expect.any(Number),
    });
    expect(all.body.scopes).toContain('crm.lists.read');
    await call('/__sandbox/access', { json: { scopes: ['crm.objects.contacts.read'] } });
    const narrow = await call('/oauth/v2/private-apps/get/access-token-info', { json: { tokenKey: TOKEN } });
    expect(narrow.body.scopes).toEqual(['crm.objects.contacts.read']);
    const wrong = await call('/oauth/v2/private-apps/get/access-token-info', { json: { tokenKey: 'someone-else' } });
    expect(wrong.status).toBe(401);
  });
});

describe('opaque membership cursors', () => {
  it('pages with cursors a client cannot compute, and refuses an offset', async () => {
    const id = DEMO_LISTS.newsletter.id;
    const first = await call(`/crm/v3/lists/${id}/memberships?limit=10`);
    const after: string = first.body.paging.next.after;
    expect(after).not.toMatch(/^\d+$/);
    const second = await call(`/crm/v3/lists/${id}/memberships?limit=10&after=${encodeURIComponent(after)}`);
    expect(second.status).toBe(200);
    const firstIds = first.body.results.map((m: { recordId: string }) => m.recordId);
    const secondIds = second.body.results.map((m: { recordId: string }) => m.recordId);
    expect(secondIds.some((r: string) => firstIds.includes(r))).toBe(false);
    expect((await call(`/crm/v3/lists/${id}/memberships?limit=10&after=10`)).status).toBe(400);
    // A cursor handed out for one list does not page another.
    const other = await call(
      `/crm/v3/lists/${DEMO_LISTS.keyAccounts.id}/memberships?after=${encodeURIComponent(after)}`,
    );
    expect(other.status).toBe(400);
  });

  it('hands out offsets when the switch is off', async () => {
    sandbox.access.opaqueCursors = false;
    const first = await call(`/crm/v3/lists/${DEMO_LISTS.newsletter.id}/memberships?limit=10`);
    expect(first.body.paging.next.after).toBe('10');
  });
});

describe('v3 list creation and membership edits', () => {
  it('builds an audience: create a MANUAL list, add and remove members, read it, delete it', async () => {
    const created = await call('/crm/v3/lists', {
      json: { name: 'My launch audience', objectTypeId: '0-1', processingType: 'MANUAL' },
    });
    expect(created.status).toBe(200);
    const listId: string = created.body.list.listId;
    expect(created.body.list).toMatchObject({ name: 'My launch audience', processingType: 'MANUAL', size: 0 });

    const joe = DEMO_CONTACTS.joe.id;
    const maria = DEMO_CONTACTS.maria.id;
    const edit = await call(`/crm/v3/lists/${listId}/memberships/add-and-remove`, {
      method: 'PUT',
      json: { recordIdsToAdd: [joe, maria, '999999999'], recordIdsToRemove: [] },
    });
    expect(edit.body).toMatchObject({ recordIdsAdded: [joe, maria], recordsIdsMissing: ['999999999'] });
    await call(`/crm/v3/lists/${listId}/memberships/add-and-remove`, {
      method: 'PUT',
      json: { recordIdsToAdd: [], recordIdsToRemove: [maria] },
    });
    const members = await call(`/crm/v3/lists/${listId}/memberships`);
    expect(members.body.results.map((m: { recordId: string }) => m.recordId)).toEqual([joe]);
    const search = await call('/crm/v3/lists/search', { json: { query: 'launch audience' } });
    expect(search.body.lists.map((l: { listId: string }) => l.listId)).toEqual([listId]);

    expect(
      (
        await call('/crm/v3/lists', {
          json: { name: 'my launch AUDIENCE', objectTypeId: '0-1', processingType: 'MANUAL' },
        })
      ).status,
    ).toBe(409);
    expect((await call(`/crm/v3/lists/${listId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/crm/v3/lists/${listId}`)).status).toBe(404);
  });

  it('names the field a bad create lacks, and needs the lists write scope', async () => {
    const bad = await call('/crm/v3/lists', { json: { name: 'x', objectTypeId: '0-1', processingType: 'SOMETIMES' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('processingType');
    sandbox.access.scopes = new Set(['crm.lists.read']);
    const refused = await call('/crm/v3/lists', { json: { name: 'y', objectTypeId: '0-1', processingType: 'MANUAL' } });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].context.requiredGranularScopes).toEqual(['crm.lists.write']);
  });
});

describe("HubSpot's full time-zone option set", () => {
  it('hs_timezone offers every HubSpot option and accepts one outside the old 16', async () => {
    const def = await call('/crm/v3/properties/contacts/hs_timezone');
    const values = def.body.options.map((o: { value: string }) => o.value);
    expect(values).toEqual([...HUBSPOT_TIME_ZONES]);
    expect(values.length).toBeGreaterThan(500);
    const update = await call(`/crm/v3/objects/contacts/${DEMO_CONTACTS.joe.id}`, {
      method: 'PATCH',
      json: { properties: { hs_timezone: 'america_slash_port_hyphen_au_hyphen_prince' } },
    });
    expect(update.status).toBe(200);
    expect(update.body.properties.hs_timezone).toBe('america_slash_port_hyphen_au_hyphen_prince');
  });
});
