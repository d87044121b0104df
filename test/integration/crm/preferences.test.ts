import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotCrm } from '../../../crm/hubspot/index.js';
import { CrmError } from '../../../crm/port.js';
import { DEMO_CONTACTS, startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';

// The adapter's communication preferences against the sandbox's v3/v4 endpoints, per mode.
const TOKEN = 'preferences-test-token';
let sandbox: HubSpotSandbox;

const adapter = (preferencesApi: 'auto' | 'v4' | 'v3' | 'off') =>
  createHubSpotCrm({ accessToken: TOKEN, basePath: sandbox.url, rateLimitPerTenSeconds: 100, preferencesApi });
const batchApi = (on: boolean) =>
  fetch(`${sandbox.url}/__sandbox/communication-preferences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batchApi: on }),
  });
const calls = (prefix: string) =>
  Object.entries(sandbox.stats().byRoute)
    .filter(([route]) => route.startsWith(prefix))
    .reduce((n, [, count]) => n + count, 0);

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, seed: true, accessToken: TOKEN, rateLimit: { perTenSeconds: 100 } });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await batchApi(true);
});

describe('communication preferences through the adapter', () => {
  const joe = DEMO_CONTACTS.joe.email;
  const olivia = DEMO_CONTACTS.olivia.email;

  it('v4 and v3 read the same statuses; v3 writes one type, unsubscribing twice is fine', async () => {
    const v3 = adapter('v3');
    await v3.unsubscribeEmail(joe, { kind: 'type', id: '1002' });
    await v3.unsubscribeEmail(joe.toUpperCase(), { kind: 'type', id: '1002' });
    const expected = { optedOutOfAll: false, unsubscribedFrom: ['1002'] };
    expect((await v3.getEmailSubscriptionStatuses([joe])).get(joe)).toEqual(expected);
    expect((await adapter('v4').getEmailSubscriptionStatuses([` ${joe.toUpperCase()} `])).get(joe)).toEqual(expected);
  });

  it('v3 changes only what is not already so, as HubSpot: a second unsubscribe and a subscribe after it are 400', async () => {
    const noah = DEMO_CONTACTS.noah.email;
    const v3 = (action: 'subscribe' | 'unsubscribe') =>
      fetch(`${sandbox.url}/communication-preferences/v3/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ emailAddress: noah, subscriptionId: '1003' }),
      }).then(
        async (r) => [r.status, (await r.json()) as { status?: string; category?: string; message?: string }] as const,
      );
    expect((await v3('subscribe'))[0]).toBe(200);
    const [first, answer] = await v3('unsubscribe');
    expect([first, answer.status]).toEqual([200, 'NOT_SUBSCRIBED']);
    const [again, refusal] = await v3('unsubscribe');
    expect([again, refusal.category]).toEqual([400, 'VALIDATION_ERROR']);
    expect(refusal.message).toMatch(/already unsubscribed/);
    expect((await v3('subscribe'))[0]).toBe(400);
  });

  it('a contact whose hs_email_optout is true reads as opted out of all, in both versions', async () => {
    // Olivia is seeded with hs_email_optout=true and no subscription history.
    expect((await adapter('v4').getEmailSubscriptionStatuses([olivia])).get(olivia)?.optedOutOfAll).toBe(true);
    expect((await adapter('v3').getEmailSubscriptionStatuses([olivia])).get(olivia)?.optedOutOfAll).toBe(true);
  });

  it('batches v4 reads 100 addresses a request (two requests: types and "all")', async () => {
    const emails = Array.from({ length: 150 }, (_, i) => `someone${i}@example.com`);
    const before = calls('POST /communication-preferences/v4/statuses/batch');
    const statuses = await adapter('v4').getEmailSubscriptionStatuses(emails);
    expect(statuses.size).toBe(150);
    expect(calls('POST /communication-preferences/v4/statuses/batch') - before).toBe(4);
  });

  it('v4 without the batch scope fails loudly; auto falls back to v3 and stays there; off asks nothing', async () => {
    await batchApi(false);
    const refused = await adapter('v4')
      .getEmailSubscriptionStatuses([joe])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmError);
    expect((refused as CrmError).status).toBe(403);

    const auto = adapter('auto');
    const v4Before = calls('POST /communication-preferences/v4/statuses/batch/read');
    expect((await auto.getEmailSubscriptionStatuses([joe])).get(joe)?.unsubscribedFrom).toEqual(['1002']);
    await auto.getEmailSubscriptionStatuses([joe]);
    expect(calls('POST /communication-preferences/v4/statuses/batch/read') - v4Before).toBe(1);

    const before = sandbox.stats().requests;
    expect((await adapter('off').getEmailSubscriptionStatuses([joe])).size).toBe(0);
    expect(sandbox.stats().requests).toBe(before);
  });
});
