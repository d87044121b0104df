import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotCrm, type HubSpotCrm } from '../../../crm/hubspot/index.js';
import { CrmError, type NewEngagement } from '../../../crm/port.js';
import {
  DEMO_COMPANIES,
  DEMO_CONTACTS,
  DEMO_LISTS,
  DEMO_OWNERS,
  startHubSpotSandbox,
  type HubSpotSandbox,
} from '../../../sandbox/hubspot/index.js';

const TOKEN = 'sandbox-adapter-test-token';
const SCHEMA = [
  ...(['notes', 'calls', 'emails', 'meetings', 'tasks'] as const).map((objectType) => ({
    objectType,
    name: 'rapport_idempotency_key',
    label: 'Rapport idempotency key',
  })),
  { objectType: 'contacts' as const, name: 'rapport_q_main_goal', label: 'Main goal' },
];

let sandbox: HubSpotSandbox;
let crm: HubSpotCrm;
const route = (key: string) => sandbox.stats().byRoute[key] ?? 0;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a CrmError');
    },
    (error: unknown) => error as CrmError,
  );

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: TOKEN, rateLimit: { perTenSeconds: 100 } });
  crm = createHubSpotCrm({
    accessToken: TOKEN,
    basePath: sandbox.url,
    rateLimitPerTenSeconds: 100,
    searchPerSecond: 5,
    // The v3 reads (associations, batch reads) are what these tests look at; activity-v1.test.ts has v1's.
    activityRead: 'v3',
  });
  await crm.ensureSchema(SCHEMA);
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.clear();
});

const engagement = (key: string, overrides: Partial<NewEngagement> = {}): NewEngagement => ({
  kind: 'note',
  idempotencyKey: key,
  contactId: DEMO_CONTACTS.joe.id,
  companyId: DEMO_COMPANIES.acme.id,
  timestamp: new Date().toISOString(),
  body: `Body of ${key}`,
  ...overrides,
});

describe('contacts and companies', () => {
  it('finds a contact by email whatever its case, with owner, company and custom properties', async () => {
    const joe = await crm.findContactByEmail('  JOE.Smith@Acme-Logistics.EXAMPLE ');
    expect(joe).toMatchObject({
      id: DEMO_CONTACTS.joe.id,
      email: DEMO_CONTACTS.joe.email,
      firstName: 'Joe',
      lastName: 'Smith',
      ownerId: DEMO_OWNERS[0].id,
      companyId: DEMO_COMPANIES.acme.id,
    });
    expect(joe!.properties).toMatchObject({
      hs_timezone: 'america_slash_new_york',
      rapport_preferred_channel: 'email',
      rapport_total_revenue: '250000.00',
      hs_email_optout: 'false',
    });
    expect(await crm.findContactByEmail('nobody@nowhere.example')).toBeNull();
  });

  it('reads a contact, its company and its owner', async () => {
    const maria = await crm.getContact(DEMO_CONTACTS.maria.id);
    expect(maria).toMatchObject({ email: DEMO_CONTACTS.maria.email, companyId: DEMO_COMPANIES.brightwave.id });
    expect(maria!.properties.rapport_slack_user_id).toBe('U04MGARCIA1');
    expect(await crm.getCompany(maria!.companyId!)).toMatchObject({
      name: 'Brightwave Media',
      domain: 'brightwave-media.example',
    });
    expect(await crm.getOwner(maria!.ownerId!)).toMatchObject({ email: DEMO_OWNERS[1].email, firstName: 'Ben' });
    expect(await crm.getContact('999999999')).toBeNull();
    expect(await crm.getCompany('999999999')).toBeNull();
  });

  it('looks many contacts up by id and by email in batches of 100', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(101 + i));
    const before = route('POST /crm/v3/objects/contacts/batch/read');
    const contacts = await crm.getContacts([...ids, '999999999']);
    expect(contacts.map((c) => c.id).sort()).toEqual(ids.sort());
    expect(route('POST /crm/v3/objects/contacts/batch/read') - before).toBe(2);

    const found = await crm.findContactsByEmail([
      DEMO_CONTACTS.olivia.email.toUpperCase(),
      DEMO_CONTACTS.sam.email,
      DEMO_CONTACTS.samUpper.email,
      'missing@nowhere.example',
    ]);
    // The two Sam records differ only in email case: an email look-up finds the older one.
    expect(found.map((c) => c.id).sort()).toEqual([DEMO_CONTACTS.olivia.id, DEMO_CONTACTS.sam.id]);
  });

  it('searches contacts by free text over name, email and company', async () => {
    const byCompany = await crm.searchContacts({ query: 'acme', limit: 50 });
    expect(byCompany.map((c) => c.id)).toContain(DEMO_CONTACTS.joe.id);
    const byName = await crm.searchContacts({ query: 'olivia chen' });
    expect(byName.map((c) => c.id)).toEqual([DEMO_CONTACTS.olivia.id]);
  });

  it('updates contact properties, and names an unknown property when HubSpot refuses it', async () => {
    await crm.updateContactProperties(DEMO_CONTACTS.liam.id, { rapport_q_main_goal: 'Fewer stock-outs' });
    await crm.updateContactsProperties([
      { id: DEMO_CONTACTS.noah.id, properties: { rapport_q_main_goal: 'Grow' } },
      { id: DEMO_CONTACTS.noah.id, properties: { jobtitle: 'CEO' } },
    ]);
    expect((await crm.getContact(DEMO_CONTACTS.liam.id))!.properties.rapport_q_main_goal).toBe('Fewer stock-outs');
    expect((await crm.getContact(DEMO_CONTACTS.noah.id))!.properties).toMatchObject({
      rapport_q_main_goal: 'Grow',
      jobtitle: 'CEO',
    });

    const error = await failure(crm.updateContactProperties(DEMO_CONTACTS.liam.id, { rapport_q_never_defined: 'x' }));
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'CRM_BAD_REQUEST', status: 400, retryable: false });
    expect(error.message).toContain('rapport_q_never_defined');
    expect(await failure(crm.updateContactProperties('999999999', { jobtitle: 'x' }))).toMatchObject({
      code: 'CRM_NOT_FOUND',
    });
  });
});

describe('engagements', () => {
  it('creates one engagement, and returns the same id for the same key', async () => {
    const key = `single-${Date.now()}`;
    const first = await crm.createEngagement(
      engagement(key, { kind: 'call', title: 'Renewal call', body: 'Talked renewal' }),
    );
    expect(first.created).toBe(true);
    const again = await crm.createEngagement(
      engagement(key, { kind: 'call', title: 'Renewal call', body: 'Talked renewal' }),
    );
    expect(again).toEqual({ id: first.id, created: false });
    expect(await crm.findEngagementsByKeys('call', [key, 'unknown-key'])).toEqual(new Map([[key, first.id]]));

    const timeline = await crm.listContactEngagements(DEMO_CONTACTS.joe.id, 10);
    expect(timeline[0]).toMatchObject({
      id: first.id,
      kind: 'call',
      title: 'Renewal call',
      body: 'Talked renewal',
      idempotencyKey: key,
    });
    const times = timeline.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['note', 'meeting', 'email']));
  });

  it('writes 250 engagements with 3 batch creates, and writes none the second time', async () => {
    const run = `bulk-${Date.now()}`;
    const inputs = Array.from({ length: 250 }, (_, i) =>
      engagement(`${run}-${i}`, { contactId: String(101 + (i % 40)), companyId: null }),
    );
    const createsBefore = route('POST /crm/v3/objects/notes/batch/create');
    const searchesBefore = route('POST /crm/v3/objects/notes/search');
    const notesBefore = sandbox.records('notes').length;

    const first = await crm.createEngagements(inputs);
    expect(first).toHaveLength(250);
    expect(first.every((r) => r.created)).toBe(true);
    expect(new Set(first.map((r) => r.id)).size).toBe(250);
    expect(route('POST /crm/v3/objects/notes/batch/create') - createsBefore).toBe(3);
    expect(route('POST /crm/v3/objects/notes/search') - searchesBefore).toBe(3);
    expect(sandbox.records('notes').length - notesBefore).toBe(250);
    // Results follow input order even though HubSpot's batch answer does not.
    const byKey = new Map(sandbox.records('notes').map((n) => [n.properties.rapport_idempotency_key, n.id]));
    expect(first.map((r) => r.id)).toEqual(inputs.map((i) => byKey.get(i.idempotencyKey)));

    const engagementsCreated = sandbox.stats().engagementsCreated;
    const second = await crm.createEngagements(inputs);
    expect(second).toEqual(first.map((r) => ({ id: r.id, created: false })));
    expect(sandbox.stats().engagementsCreated).toBe(engagementsCreated);
    expect(sandbox.records('notes').length - notesBefore).toBe(250);
    expect(route('POST /crm/v3/objects/notes/batch/create') - createsBefore).toBe(3);
  });

  it('finds keys written by another process through search (lower-cased for IN)', async () => {
    // Two ledgers (processes not sharing PostgreSQL): only search can tell, once the index has the record.
    sandbox.realism.set({ searchLagMs: 0 });
    try {
      const key = `01JOTHER${Date.now()}ABC`;
      const other = createHubSpotCrm({ accessToken: TOKEN, basePath: sandbox.url, rateLimitPerTenSeconds: 100 });
      const written = await other.createEngagement(engagement(key));
      const mine = await crm.createEngagement(engagement(key));
      expect(mine).toEqual({ id: written.id, created: false });
    } finally {
      sandbox.realism.reset();
    }
  });

  it('handles mixed kinds and a key repeated within one call', async () => {
    const run = `mixed-${Date.now()}`;
    const results = await crm.createEngagements([
      engagement(`${run}-a`, { kind: 'email', title: 'Subject' }),
      engagement(`${run}-b`, { kind: 'meeting' }),
      engagement(`${run}-a`, { kind: 'email', title: 'Subject' }),
      engagement(`${run}-c`, { kind: 'note', title: 'Heads-up', body: 'x'.repeat(70_000) }),
    ]);
    expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(results[2]!.id).toBe(results[0]!.id);
    const note = sandbox.records('notes').find((n) => n.id === results[3]!.id)!;
    expect(note.properties.hs_note_body!.length).toBe(65_536);
    expect(note.properties.hs_note_body!.startsWith('<p><strong>Heads-up</strong></p><p>xxx')).toBe(true);
    expect(note.properties.hs_note_body!.endsWith('x…</p>')).toBe(true);
  });

  it('creates tasks idempotently, associated with their contacts', async () => {
    const key = `task-${Date.now()}`;
    const task = {
      idempotencyKey: key,
      ownerId: DEMO_OWNERS[0].id,
      subject: 'Call Joe about Q4',
      body: 'He asked for pricing',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      contactIds: [DEMO_CONTACTS.joe.id],
      priority: 'HIGH' as const,
    };
    const first = await crm.createTask(task);
    expect(first.created).toBe(true);
    expect(await crm.createTasks([task])).toEqual([{ id: first.id, created: false }]);
    const stored = sandbox.records('tasks').find((t) => t.id === first.id)!;
    expect(stored.properties).toMatchObject({
      hs_task_subject: 'Call Joe about Q4',
      hs_task_priority: 'HIGH',
      hubspot_owner_id: DEMO_OWNERS[0].id,
    });
  });
});

describe('follow-ups (open tasks)', () => {
  const liam = DEMO_CONTACTS.liam.id;
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const task = (key: string, subject: string, days: number, priority?: 'LOW' | 'MEDIUM' | 'HIGH') => ({
    idempotencyKey: `${key}-${subject}`,
    ownerId: DEMO_OWNERS[2].id,
    subject,
    body: `About ${subject}`,
    dueAt: inDays(days),
    contactIds: [liam],
    priority,
  });

  it('lists open tasks soonest due first through v4 associations and one batch read', async () => {
    const key = `followups-${Date.now()}`;
    const [soon, later, done] = await crm.createTasks([
      task(key, 'Send the contract', 2, 'HIGH'),
      task(key, 'Quarterly check-in', 30),
      task(key, 'Already handled', 1),
    ]);
    await crm.completeTask(done!.id);

    const assocBefore = route('POST /crm/v4/associations/contacts/tasks/batch/read');
    const readsBefore = route('POST /crm/v3/objects/tasks/batch/read');
    const open = await crm.listOpenTasks(liam);
    expect(route('POST /crm/v4/associations/contacts/tasks/batch/read') - assocBefore).toBe(1);
    expect(route('POST /crm/v3/objects/tasks/batch/read') - readsBefore).toBe(1);

    // The seeded "Win-back call" is due in 7 days: between the two new ones.
    expect(open.map((t) => t.subject)).toEqual(['Send the contract', 'Win-back call', 'Quarterly check-in']);
    expect(open[0]).toEqual({
      id: soon!.id,
      subject: 'Send the contract',
      body: 'About Send the contract',
      dueAt: expect.any(String) as string,
      ownerId: DEMO_OWNERS[2].id,
      status: 'NOT_STARTED',
      priority: 'HIGH',
      createdByRapport: true,
    });
    expect(open.find((t) => t.subject === 'Win-back call')?.createdByRapport).toBe(false);
    expect(await crm.getTask(soon!.id)).toEqual(open[0]);
    expect(await crm.getTask('99999999')).toBeNull();
    expect(await crm.getTask('not-a-task')).toBeNull();
    expect(Date.parse(open[0]!.dueAt!)).toBeLessThan(Date.parse(open[1]!.dueAt!));
    expect(open.map((t) => t.id)).not.toContain(done!.id);
    expect(open[2]!.id).toBe(later!.id);
    expect((await crm.listOpenTasks(liam, 2)).map((t) => t.id)).toEqual([soon!.id, open[1]!.id]);
  });

  it('completes a task with a PATCH, idempotently; an unknown id is CRM_NOT_FOUND', async () => {
    const { id } = await crm.createTask(task(`complete-${Date.now()}`, 'Send the brochure', 3));
    expect((await crm.listOpenTasks(liam, 50)).map((t) => t.id)).toContain(id);

    const patchesBefore = route('PATCH /crm/v3/objects/tasks/:id');
    await crm.completeTask(id);
    await crm.completeTask(id); // done already: fine
    expect(route('PATCH /crm/v3/objects/tasks/:id') - patchesBefore).toBe(2);
    expect(sandbox.records('tasks').find((t) => t.id === id)!.properties.hs_task_status).toBe('COMPLETED');
    expect((await crm.listOpenTasks(liam, 50)).map((t) => t.id)).not.toContain(id);

    const unknown = await failure(crm.completeTask('99999999'));
    expect(unknown).toBeInstanceOf(CrmError);
    expect(unknown.code).toBe('CRM_NOT_FOUND');
  });

  it('has no follow-ups for a contact without tasks', async () => {
    expect(await crm.listOpenTasks(DEMO_CONTACTS.olivia.id)).toEqual([]);
  });

  it('timelines and follow-ups of many contacts read at once share batch requests', async () => {
    const contacts = Array.from({ length: 40 }, (_, i) => String(101 + i));
    const alone = await Promise.all(contacts.slice(0, 3).map((id) => crm.listContactEngagements(id, 20)));
    const requestsBefore = sandbox.stats().requests;
    const [timelines, followUps] = await Promise.all([
      Promise.all(contacts.map((id) => crm.listContactEngagements(id, 20))),
      Promise.all(contacts.map((id) => crm.listOpenTasks(id))),
    ]);
    // One by one: 40 contacts x (4 engagement types + tasks) x (associations + records), ~400
    // requests. Together: an association batch read and a record batch read per type, a few
    // more when callers come in at different moments (a busy budget delays the first batches).
    expect(sandbox.stats().requests - requestsBefore).toBeLessThanOrEqual(25);
    // Each contact gets its own records, the same as when asked alone.
    expect(timelines.slice(0, 3)).toEqual(alone);
    for (const [i, timeline] of timelines.entries()) {
      const own = new Set(
        (['notes', 'calls', 'emails', 'meetings'] as const).flatMap((type) => [
          ...sandbox.state().associations('contacts', contacts[i]!, type).keys(),
        ]),
      );
      for (const e of timeline) expect(own.has(e.id)).toBe(true);
    }
    expect(followUps.flat().every((t) => t.status !== 'COMPLETED')).toBe(true);
  });
});

describe('owners, lists and schema', () => {
  it('lists owners', async () => {
    const owners = await crm.listOwners();
    expect(owners.map((o) => o.email)).toEqual(DEMO_OWNERS.map((o) => o.email));
    expect(await crm.getOwner('12345')).toBeNull();
    expect(await crm.getOwner('not-a-number')).toBeNull();
  });

  it('lists contact lists and pages through memberships', async () => {
    const lists = await crm.listLists();
    expect(lists.map((l) => l.name).sort()).toEqual(
      Object.values(DEMO_LISTS)
        .map((l) => l.name)
        .sort(),
    );
    const newsletter = lists.find((l) => l.id === DEMO_LISTS.newsletter.id)!;
    expect(newsletter.processingType).toBe('MANUAL');
    expect(lists.find((l) => l.id === DEMO_LISTS.allCustomers.id)!.processingType).toBe('DYNAMIC');

    const members: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await crm.getListMemberships(newsletter.id, after, 60);
      members.push(...page.results);
      after = page.after;
      pages++;
    } while (after);
    expect(members).toHaveLength(newsletter.size);
    expect(new Set(members).size).toBe(members.length);
    expect(pages).toBe(Math.ceil(newsletter.size / 60));
    expect(members).toEqual(
      expect.arrayContaining([DEMO_CONTACTS.olivia.id, DEMO_CONTACTS.noah.id, DEMO_CONTACTS.sam.id]),
    );
    expect((await crm.getListMemberships(DEMO_LISTS.lapsedBuyers.id, undefined, 250)).results).toContain(
      DEMO_CONTACTS.liam.id,
    );
    expect(await failure(crm.getListMemberships('999'))).toMatchObject({ code: 'CRM_NOT_FOUND' });
  });

  it('ensureSchema is idempotent: a second run only reads', async () => {
    const creates = () =>
      Object.entries(sandbox.stats().byRoute)
        .filter(([key]) => key.startsWith('POST /crm/v3/properties/'))
        .reduce((sum, [, n]) => sum + n, 0);
    const before = creates();
    await crm.ensureSchema(SCHEMA);
    expect(creates()).toBe(before);
    const props = await fetch(`${sandbox.url}/crm/v3/properties/notes/rapport_idempotency_key`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await props.json()).toMatchObject({ name: 'rapport_idempotency_key', groupName: 'rapport', type: 'string' });
  });

  it('answers ping', async () => {
    await expect(crm.ping()).resolves.toBeUndefined();
  });
});

describe('failures', () => {
  it('honours Retry-After on a 429, retries, and counts it', async () => {
    const before = crm.stats().rateLimited;
    sandbox.faults.set({ status: 429, retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    expect((await crm.getContact(DEMO_CONTACTS.joe.id))!.id).toBe(DEMO_CONTACTS.joe.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(crm.stats().rateLimited - before).toBe(1);
    expect(sandbox.stats().rateLimitedByPolicy.INJECTED).toBeGreaterThanOrEqual(1);
  });

  it('maps 503 to a retryable CRM_UNAVAILABLE', async () => {
    sandbox.faults.set({ status: 503, durationMs: 30_000 });
    const error = await failure(crm.getContact(DEMO_CONTACTS.joe.id));
    expect(error).toMatchObject({ code: 'CRM_UNAVAILABLE', status: 503, retryable: true });
    sandbox.faults.clear();
    expect(await crm.getContact(DEMO_CONTACTS.joe.id)).not.toBeNull();
  });

  it('maps a refused connection to CRM_UNAVAILABLE and recovers when the CRM is back', async () => {
    sandbox.faults.set({ refuse: true, durationMs: 30_000 });
    expect(await failure(crm.ping())).toMatchObject({ code: 'CRM_UNAVAILABLE', retryable: true });
    sandbox.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(crm.ping()).resolves.toBeUndefined();
  });

  it('maps a wrong token to CRM_AUTH', async () => {
    const stranger = createHubSpotCrm({ accessToken: 'wrong-token', basePath: sandbox.url });
    expect(await failure(stranger.ping())).toMatchObject({ code: 'CRM_AUTH', status: 401, retryable: false });
  });
});

describe('rate budget', () => {
  it('never draws a 429 when the adapter budget equals the sandbox limit', async () => {
    const tight = await startHubSpotSandbox({
      seed: true,
      accessToken: TOKEN,
      rateLimit: { perTenSeconds: 10, searchPerSecond: 5 },
    });
    try {
      const client = createHubSpotCrm({
        accessToken: TOKEN,
        basePath: tight.url,
        rateLimitPerTenSeconds: 10,
        searchPerSecond: 5,
      });
      const started = Date.now();
      const reads = Array.from({ length: 12 }, (_, i) => client.getContact(String(101 + i)));
      const searches = Array.from({ length: 6 }, () => client.searchContacts({ query: 'smith', limit: 5 }));
      const results = await Promise.all([...reads, ...searches]);
      expect(results.every((r) => r !== null)).toBe(true);
      expect(tight.stats().rateLimited).toBe(0);
      expect(client.stats().rateLimited).toBe(0);
      // 18 calls at 10 per 10 s (searches count too): the last ones had to wait for the window to roll.
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    } finally {
      await tight.close();
    }
  }, 60_000);
});
