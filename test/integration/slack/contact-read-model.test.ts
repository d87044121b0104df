import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { startContactSync } from '../../../services/contacts/contact-sync.js';
import { ACTIONS, COMMANDS, TOUCH_BLOCKS } from '../../../slack-app/ids.js';
import { createCrmContactStore } from '../../../store/crm-contacts.js';
import { computeSegments } from '../../../domain/segments.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { SANDBOX_TEST_TOKEN, eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver } from './driver.js';

/**
 * The contact read model behind the customer picker: filled from the CRM at start-up, kept in
 * step every CONTACT_SYNC_INTERVAL_SECONDS, searched without asking the CRM.
 */

const ANA = { id: 'U0ANA', name: 'ana', email: 'ana@rapport.example' };
const SEARCH_PATH = '/crm/v3/objects/contacts/search';

let t: TestRapport;
let slack: SlackStandIn;
let driver: ReturnType<typeof slackDriver>;

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [ANA] });
  t = await startTestRapport({
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      CONTACT_SYNC_INTERVAL_SECONDS: '1',
    },
  });
  driver = slackDriver(t.rapport.app, slack);
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

async function suggest(value: string) {
  const res = await driver.interaction({
    type: 'block_suggestion',
    user: { id: ANA.id },
    action_id: ACTIONS.customerSelect,
    block_id: TOUCH_BLOCKS.customer,
    value,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { options: { text: { text: string }; value: string }[] }).options;
}

async function crm(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TEST_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return res.status === 204 ? undefined : ((await res.json()) as { id: string });
}

const rows = async () => Number((await t.db.query<{ n: string }>('select count(*) as n from crm_contacts')).rows[0]!.n);
const liveContacts = () => t.sandbox.records('contacts').filter((r) => !r.archived).length;

describe('contact read model', () => {
  it('is filled from the CRM at start-up, and the picker answers from it even while CRM search fails', async () => {
    const sync = t.rapport.contactReadModel.sync!;
    await eventually(async () => (sync.ready() ? true : undefined), 60_000, 100);
    expect(await rows()).toBe(liveContacts());
    // The dashboard's segments come along, by the customer card's rules (domain/segments.ts).
    const { rows: segmented } = await t.db.query<{ id: string; valueTier: string; since: unknown }>(
      `select id, value_tier as "valueTier", customer_since as since from crm_contacts`,
    );
    for (const id of [DEMO.joe.id, DEMO.maria.id].map(String)) {
      const expected = computeSegments((await t.rapport.crm.getContact(id))!.properties, new Date());
      const row = segmented.find((r) => r.id === id)!;
      expect(row.valueTier).toBe(expected.valueTier.tier);
      expect(row.since === null ? null : new Date(row.since as string).toISOString()).toBe(expected.relationship.since);
    }
    expect(segmented.some((r) => r.valueTier !== 'prospect')).toBe(true);

    t.sandbox.faults.set({ status: 503, pathPrefix: SEARCH_PATH });
    try {
      for (const query of ['Joe Smith', 'smi', 'joe.smith@acme', 'Acme Logistics', 'JOE']) {
        const options = await suggest(query);
        expect(options.map((o) => o.value)).toContain(String(DEMO.joe.id));
        expect(options.every((o) => o.text.text.length <= 75)).toBe(true);
      }
      expect((await suggest('Maria Garcia')).map((o) => o.value)).toContain(String(DEMO.maria.id));
      expect(await suggest('zzzz nobody')).toEqual([]);

      // /customer <name> searches the same way.
      const byName = await driver.command(COMMANDS.customer, { user: ANA.id, text: 'Maria Garcia' });
      const id = byName.responseUrl.split('/').at(-1);
      const card = await eventually(async () => slack.responses.find((r) => r.id === id), 15_000, 50);
      expect(JSON.stringify(card.body.blocks)).toContain('Brightwave');
    } finally {
      t.sandbox.faults.clear();
    }
  });

  it('a contact created in HubSpot appears in the picker after the next incremental sync; an edit too', async () => {
    const created = (await crm('POST', '/crm/v3/objects/contacts', {
      properties: {
        email: 'zoe.quintrell@brightwave-media.example',
        firstname: 'Zoë',
        lastname: 'Quintrell',
        company: 'Brightwave Media',
      },
    }))!;
    const found = await eventually(
      async () => {
        const options = await suggest('zoe quin');
        return options.some((o) => o.value === created.id) ? options : undefined;
      },
      20_000,
      200,
    );
    expect(found.find((o) => o.value === created.id)!.text.text).toContain('Zoë Quintrell');

    await crm('PATCH', `/crm/v3/objects/contacts/${created.id}`, { properties: { lastname: "O'Quintrell" } });
    await eventually(
      async () => ((await suggest('oquintrell')).some((o) => o.value === created.id) ? true : undefined),
      20_000,
      200,
    );
    expect((await suggest('Quintrell')).map((o) => o.value)).toContain(created.id);
  });

  it('a full load drops contacts the CRM no longer has', async () => {
    const gone = (await crm('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'short.lived@acme-logistics.example', firstname: 'Short', lastname: 'Lived' },
    }))!;
    const store = createCrmContactStore(t.db);
    await eventually(async () => ((await store.search('short lived')).length === 1 ? true : undefined), 20_000, 200);
    await crm('DELETE', `/crm/v3/objects/contacts/${gone.id}`);

    // A second syncer on the same database, due for a full load: it waits for the lease.
    await t.rapport.contactReadModel.sync!.stop();
    const full = startContactSync(
      { crm: t.rapport.crm, store, logger: pino({ level: 'silent' }) },
      { intervalMs: 60_000, fullEveryMs: 0, pageIntervalMs: 0 },
    );
    try {
      await full.syncNow();
      expect(await store.search('short lived')).toEqual([]);
      expect(await rows()).toBe(liveContacts());
      expect((await store.search('joe smith')).map((c) => c.id)).toContain(String(DEMO.joe.id));
    } finally {
      await full.stop();
    }
  });
});
