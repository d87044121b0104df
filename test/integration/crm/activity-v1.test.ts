import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotCrm, type HubSpotCrm } from '../../../crm/hubspot/index.js';
import type { CrmEngagement, CrmTask } from '../../../crm/port.js';
import {
  DEMO_CONTACTS,
  DEMO_OWNERS,
  startHubSpotSandbox,
  type HubSpotSandbox,
} from '../../../sandbox/hubspot/index.js';

/**
 * The customer view's activity read: HubSpot's engagements v1 read gives a contact's notes,
 * calls, emails, meetings and tasks in one request, where v3 needs an association read and a batch
 * read per kind. Both adapters run against the same seeded sandbox and must agree.
 */
const TOKEN = 'activity-v1-test-token';
const V1_ROUTE = 'GET /engagements/v1/engagements/associated/CONTACT/:id/paged';

let sandbox: HubSpotSandbox;
let v1: HubSpotCrm;
let v3: HubSpotCrm;
const requests = () => sandbox.stats().requests;
const route = (key: string) => sandbox.stats().byRoute[key] ?? 0;

const adapter = (activityRead: 'v1' | 'v3') =>
  createHubSpotCrm({ accessToken: TOKEN, basePath: sandbox.url, rateLimitPerTenSeconds: 1000, activityRead });

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: TOKEN, rateLimit: { perTenSeconds: 1000 } });
  v1 = adapter('v1');
  v3 = adapter('v3');
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.clear();
});

/** What a person sees of an engagement (v1 cannot show custom properties such as the idempotency key). */
const seen = (e: CrmEngagement) => ({ id: e.id, kind: e.kind, at: e.timestamp, title: e.title, body: e.body });
const seenTask = ({ createdByRapport: _, ...task }: CrmTask) => task;

async function activity(crm: HubSpotCrm, contactId: string) {
  const [engagements, tasks] = await Promise.all([
    crm.listContactEngagements(contactId, 50),
    crm.listOpenTasks(contactId, 20),
  ]);
  return { engagements: engagements.map(seen), tasks: tasks.map(seenTask) };
}

describe('a contact activity through the engagements v1 read', () => {
  it('reads the timeline and the open follow-ups in one request, the same as v3', async () => {
    const joe = DEMO_CONTACTS.joe.id;
    await v1.createEngagement({
      kind: 'email',
      idempotencyKey: `v1-email-${Date.now()}`,
      contactId: joe,
      companyId: null,
      timestamp: new Date().toISOString(),
      title: 'Your rates alert',
      body: 'Rates change on Monday.',
    });
    await v1.createTask({
      idempotencyKey: `v1-task-${Date.now()}`,
      ownerId: DEMO_OWNERS[0].id,
      subject: 'Call Joe back',
      body: 'He asked about Monday',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      contactIds: [joe],
      priority: 'HIGH',
    });

    const before = requests();
    const viaV1 = await activity(v1, joe);
    expect(requests() - before).toBe(1);

    const beforeV3 = requests();
    const viaV3 = await activity(v3, joe);
    const v3Requests = requests() - beforeV3;

    expect(viaV1).toEqual(viaV3);
    expect(viaV1.engagements[0]).toMatchObject({
      kind: 'email',
      title: 'Your rates alert',
      body: 'Rates change on Monday.',
    });
    expect(viaV1.engagements.map((e) => e.kind)).toEqual(expect.arrayContaining(['note', 'meeting', 'email']));
    expect(viaV1.tasks.map((t) => t.subject)).toContain('Call Joe back');
    expect(v3Requests).toBeGreaterThanOrEqual(6);
  });

  it('pages through a contact with more than a page of activity', async () => {
    const olivia = DEMO_CONTACTS.olivia.id;
    const run = `v1-many-${Date.now()}`;
    await v1.createEngagements(
      Array.from({ length: 150 }, (_, i) => ({
        kind: 'note' as const,
        idempotencyKey: `${run}-${i}`,
        contactId: olivia,
        companyId: null,
        timestamp: new Date(Date.now() - (150 - i) * 60_000).toISOString(),
        body: `Note ${i}`,
      })),
    );
    const pagesBefore = route(V1_ROUTE);
    const viaV1 = await activity(v1, olivia);
    expect(route(V1_ROUTE) - pagesBefore).toBe(2);
    expect(viaV1).toEqual(await activity(v3, olivia));
    // Newest first, whatever order the pages came in.
    expect(viaV1.engagements[0]!.body).toBe('Note 149');
    expect(viaV1.engagements).toHaveLength(50);
  });

  it('reads through v3 for good once the portal refuses v1 (410), and says nothing changed for the rep', async () => {
    const refusing = adapter('v1');
    sandbox.faults.set({ status: 410, pathPrefix: '/engagements/v1/' });
    const liam = DEMO_CONTACTS.liam.id;
    const first = await activity(refusing, liam);
    expect(first).toEqual(await activity(v3, liam));
    const v1Before = route(V1_ROUTE);
    sandbox.faults.clear();
    await activity(refusing, liam);
    expect(route(V1_ROUTE) - v1Before).toBe(0);
  });

  it('a burst of contacts read at once shares v3 batches past a few v1 reads', async () => {
    const contacts = Array.from({ length: 40 }, (_, i) => String(101 + i));
    const before = requests();
    const all = await Promise.all(contacts.map((id) => activity(v1, id)));
    // One by one through v1: 40 requests. A few v1 reads, then the rest in v3's shared batches.
    expect(requests() - before).toBeLessThanOrEqual(25);
    for (const [i, id] of contacts.entries()) expect(all[i]).toEqual(await activity(v3, id));
  });
});
