import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotCrm, type HubSpotCrm } from '../../../crm/hubspot/index.js';
import { DEMO_CONTACTS, startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';

// What HubSpot's timeline shows for what Rapport writes: the real client against the sandbox.
const TOKEN = 'timeline-fidelity-token';
let sandbox: HubSpotSandbox;
let crm: HubSpotCrm;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: TOKEN, rateLimit: { perTenSeconds: 100 } });
  crm = createHubSpotCrm({ accessToken: TOKEN, basePath: sandbox.url, rateLimitPerTenSeconds: 100 });
  await crm.ensureSchema(
    (['notes', 'emails'] as const).map((objectType) => ({
      objectType,
      name: 'rapport_idempotency_key',
      label: 'Rapport idempotency key',
    })),
  );
});
afterAll(async () => {
  await sandbox?.close();
});

const at = new Date().toISOString();

describe('timeline fidelity', () => {
  it('an email engagement carries hs_email_headers; HubSpot fills sender and recipient from it', async () => {
    const { id } = await crm.createEngagement({
      kind: 'email',
      idempotencyKey: `hdr-${Date.now()}`,
      contactId: DEMO_CONTACTS.joe.id,
      timestamp: at,
      title: 'Rates move',
      body: 'Fixed deposits rise on Monday.',
      emailHeaders: {
        from: { email: 'alerts@bank.example', firstName: 'Bank', lastName: 'Alerts' },
        to: [{ email: DEMO_CONTACTS.joe.email }],
      },
    });
    const email = sandbox.records('emails').find((e) => e.id === id)!;
    expect(JSON.parse(email.properties.hs_email_headers!)).toEqual({
      from: { email: 'alerts@bank.example', firstName: 'Bank', lastName: 'Alerts' },
      to: [{ email: DEMO_CONTACTS.joe.email }],
      cc: [],
      bcc: [],
    });
    expect(email.properties).toMatchObject({
      hs_email_subject: 'Rates move',
      hs_email_from_email: 'alerts@bank.example',
      hs_email_from_firstname: 'Bank',
      hs_email_to_email: DEMO_CONTACTS.joe.email,
    });
  });

  it('the sandbox refuses hs_email_headers that are not JSON, naming the property, as HubSpot does', async () => {
    const res = await fetch(`${sandbox.url}/crm/v3/objects/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { hs_timestamp: at, hs_email_headers: 'joe@example.com' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('hs_email_headers');
  });

  it('a note is written as HubSpot renders it: escaped text, line breaks kept; read back as the same text', async () => {
    const body = 'Rates <up> & "fixed"\nline two\n\nnew paragraph';
    const { id } = await crm.createEngagement({
      kind: 'note',
      idempotencyKey: `note-${Date.now()}`,
      contactId: DEMO_CONTACTS.joe.id,
      timestamp: at,
      title: 'Call <summary>',
      body,
    });
    const stored = sandbox.records('notes').find((n) => n.id === id)!.properties.hs_note_body;
    expect(stored).toBe(
      '<p><strong>Call &lt;summary&gt;</strong></p><p>Rates &lt;up&gt; &amp; &quot;fixed&quot;<br>line two</p><p>new paragraph</p>',
    );
    const read = (await crm.listContactEngagements(DEMO_CONTACTS.joe.id, 100)).find((e) => e.id === id)!;
    expect(read.body).toBe(`Call <summary>\n\n${body}`);
  });

  it('task bodies are rich text too: a list stays a list in HubSpot, and reads back as written', async () => {
    const body = 'No response from:\n- a@example.com\n- b <b@example.com>';
    const { id } = await crm.createTask({
      idempotencyKey: `task-${Date.now()}`,
      ownerId: (await crm.listOwners())[0]!.id,
      subject: 'Follow up',
      body,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      contactIds: [DEMO_CONTACTS.joe.id],
    });
    expect(sandbox.records('tasks').find((r) => r.id === id)!.properties.hs_task_body).toBe(
      '<p>No response from:<br>- a@example.com<br>- b &lt;b@example.com&gt;</p>',
    );
    expect((await crm.listOpenTasks(DEMO_CONTACTS.joe.id, 100)).find((task) => task.id === id)?.body).toBe(body);
  });
});
