import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { createTouchStore } from '../../../store/touches.js';
import { BROADCAST_ENV, REQUESTER, submit, waitForStatus } from '../broadcast/support.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';

/** The operators' CLI against Rapport listening on a port, as `npx rapport` would reach it. */
let t: TestRapport;
let server: ServerType;
let url: string;

beforeAll(async () => {
  t = await startTestRapport({ env: BROADCAST_ENV });
  const port = await new Promise<number>((listening) => {
    server = serve({ fetch: t.rapport.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => listening(info.port));
  });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((done) => server?.close(done));
  await t?.stop();
});

/** The CLI with the service token, or (`as`) a person's sign-in token: only a person may cancel. */
async function rapport(...argv: string[]) {
  return rapportWith(TEST_API_TOKEN, ...argv);
}
async function as(email: string, ...argv: string[]) {
  return rapportWith((await t.as(email)).replace(/^Bearer /, ''), ...argv);
}
async function rapportWith(token: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    env: { RAPPORT_URL: url, RAPPORT_TOKEN: token },
    cwd: process.cwd(),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const status = async (id: string) =>
  JSON.parse((await rapport('touches', 'show', id, '--json')).out) as { status: string };
const synced = (id: string) => eventually(async () => ((await status(id)).status === 'synced' ? true : undefined));

describe('rapport touches', () => {
  it('retries a failed touch until it is on the CRM timeline, once', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: {
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: 'CLI retry check',
        loggedBy: 'ops@rapport.example',
      },
    });
    const { id } = (await res.json()) as { id: string };
    await synced(id);
    // As if the CRM had refused it for good (a contact missing, a credential revoked), then fixed.
    await createTouchStore(t.db).markFailed(id, 'CRM refused the write: CRM_AUTH');
    const failed = await rapport('touches', 'show', id);
    expect(failed.code).toBe(0);
    expect(failed.out).toMatch(/Status: +failed/);
    expect(failed.out).toMatch(/Failed because: +CRM refused the write: CRM_AUTH/);

    const retried = await rapport('touches', 'retry', id, '--json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.out)).toMatchObject({ id, status: 'pending', reason: null });
    await synced(id);

    const contact = await t.rapport.crm.findContactByEmail(DEMO.joe.email);
    const engagements = await t.rapport.crm.listContactEngagements(contact!.id, 500);
    expect(engagements.filter((e) => e.idempotencyKey === id)).toHaveLength(1);

    const again = await rapport('touches', 'retry', id);
    expect(again.code).toBe(1);
    expect(again.err).toContain('this touch is already in the CRM (409, CONFLICT');
  });

  it('starts the workflow of a pending touch that has none (stored while Temporal was away)', async () => {
    const contact = await t.rapport.crm.findContactByEmail(DEMO.maria.email);
    const id = 'tch_0000000000000000000000cli1';
    await createTouchStore(t.db).insert({
      id,
      idempotencyKey: null,
      requestHash: 'cli',
      contactEmail: DEMO.maria.email,
      contactCrmId: contact!.id,
      channel: 'meeting',
      summary: 'Stored without a workflow',
      outcome: null,
      occurredAt: new Date().toISOString(),
      loggedBy: 'ops@rapport.example',
      source: 'api',
      sourceUrl: null,
      answers: {},
      companyId: contact!.companyId,
      contactVerified: true,
    });
    const retried = await rapport('touches', 'retry', id);
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(/Status: +pending/);
    await synced(id);
    expect((await rapport('touches', 'show', id)).out).toMatch(/Engagement: +meeting \d+/);
  });

  it('names what is wrong: an unknown touch (404), a malformed id (400)', async () => {
    const unknown = await rapport('touches', 'show', 'tch_00000000000000000000000000');
    expect(unknown).toMatchObject({ code: 1, err: 'rapport: no touch with this id (404, NOT_FOUND, field id)' });
    const malformed = await rapport('touches', 'retry', 'nope');
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('(400, VALIDATION, field id)');
  });
});

describe('rapport alerts', () => {
  it('lists, shows and cancels an alert', async () => {
    const id = await submit(t, { title: 'CLI: rates move' });
    const list = await rapport('alerts', 'list', '--limit', '5');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID +STATUS +V +REQUESTER/);
    expect(list.out).toContain(id);

    const shown = await rapport('alerts', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(new RegExp(`Alert: +${id}`));
    expect(shown.out).toMatch(/Title: +CLI: rates move/);

    const service = await rapport('alerts', 'cancel', id, '--by', REQUESTER);
    expect(service.code).toBe(1);
    expect(service.err).toContain('(403, PERSON_REQUIRED, field authorization)');

    const refused = await as('stranger@elsewhere.example', 'alerts', 'cancel', id);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('(403, FORBIDDEN, field by)');

    const cancelled = await as(REQUESTER, 'alerts', 'cancel', id, '--reason', 'wrong list');
    expect(cancelled).toMatchObject({ code: 0, out: `Cancel requested for ${id}.` });
    await waitForStatus(t, id, 'cancelled');

    const onlyCancelled = JSON.parse((await rapport('alerts', 'list', '--status', 'cancelled', '--json')).out) as {
      alerts: { id: string; status: string }[];
    };
    expect(onlyCancelled.alerts.map((a) => a.id)).toContain(id);
    expect(onlyCancelled.alerts.every((a) => a.status === 'cancelled')).toBe(true);

    const badStatus = await rapport('alerts', 'list', '--status', 'lost');
    expect(badStatus.code).toBe(1);
    expect(badStatus.err).toContain('field status');
  });
});
