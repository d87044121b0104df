import { Client } from '@hubspot/api-client';
import type {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExchange } from '../../../crm/hubspot/contract/check.js';
import { HUBSPOT_OPERATIONS } from '../../../crm/hubspot/contract/facts.js';
import { portalTools } from '../../../crm/hubspot/doctor.js';
import {
  createHubSpotBudget,
  createHubSpotCrm,
  IDEMPOTENCY_KEY,
  PROPERTY_GROUP,
  type HubSpotCrm,
} from '../../../crm/hubspot/index.js';
import type { RateBudget } from '../../../crm/rate-budget.js';
import { CrmError, type NewEngagement } from '../../../crm/port.js';
import { SANDBOX_SCOPES } from '../../../sandbox/hubspot/scopes.js';
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from '../../../testkit/recording-proxy.js';
import { TEST_RECORD_MARK, type ContractTarget } from './target.js';

const ENGAGEMENT_TYPES = ['notes', 'calls', 'emails', 'meetings', 'tasks'] as const;
const SCHEMA = ENGAGEMENT_TYPES.map((objectType) => ({
  objectType,
  name: IDEMPOTENCY_KEY,
  label: 'Rapport idempotency key',
}));

/**
 * The HubSpot contract suite: every operation of the fact table (crm/hubspot/contract/facts.ts),
 * made through Rapport's own adapter functions behind a recording proxy, each answer checked
 * against the table. The same body runs against the sandbox and, given a token, a real portal;
 * answers only the sandbox can be made to give (403, 429, 207) are asked of it alone.
 */
export function contractSuite(makeTarget: () => Promise<ContractTarget>) {
  let target: ContractTarget;
  let proxy: RecordingProxy;
  let crm: HubSpotCrm;
  // One budget for every adapter of the run: a real portal's 100 requests per 10 s are shared.
  let budget: RateBudget;
  const exercised = new Map<string, Set<number>>();
  /** Operations a portal gave the suite nothing to ask of (no list, no subscription type): said aloud, not failed. */
  const notChecked = new Set<string>();
  const cannotCheck = (operations: string[], why: string) => {
    operations.forEach((op) => notChecked.add(op));
    console.log(`[contract] ${target.name}: ${why}; ${operations.join(', ')} not checked`);
  };
  const adapter = (options: Partial<Parameters<typeof createHubSpotCrm>[0]> = {}) =>
    createHubSpotCrm({ accessToken: target.token, basePath: proxy.url, searchLagMs: 0, budget, ...options });

  /** Runs `action`, checks every exchange it caused against the fact table, returns them. */
  async function traffic<T>(action: () => Promise<T>): Promise<{ result: T; exchanges: RecordedExchange[] }> {
    const from = proxy.exchanges.length;
    const result = await action();
    const exchanges = proxy.exchanges.slice(from);
    const problems: string[] = [];
    for (const exchange of exchanges) {
      const verdict = checkExchange(exchange);
      problems.push(...verdict.problems);
      if (verdict.operation) {
        const statuses = exercised.get(verdict.operation.id) ?? new Set<number>();
        exercised.set(verdict.operation.id, statuses.add(exchange.status));
      }
    }
    expect(problems).toEqual([]);
    return { result, exchanges };
  }
  /** The statuses an operation got, 429s left out: the budget retries them (their envelope is checked all the same). */
  const statusesOf = (exchanges: RecordedExchange[], id: string) =>
    exchanges.filter((e) => e.status !== 429 && checkExchange(e).operation?.id === id).map((e) => e.status);
  /** Search trails writes by seconds on a real portal: ask again until the record shows. */
  const eventually = <T>(ask: () => Promise<T>, check: (value: T) => boolean) =>
    expect.poll(async () => check((await traffic(ask)).result), { timeout: 30_000, interval: 1_000 }).toBe(true);
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as CrmError,
    );

  beforeAll(async () => {
    target = await makeTarget();
    proxy = await startRecordingProxy(target.baseUrl);
    budget = createHubSpotBudget({ rateLimitPerTenSeconds: 100 });
    crm = adapter();
  });
  afterAll(async () => {
    await proxy?.close();
    await target?.close();
  });

  describe('contacts and companies', () => {
    it('reads a contact by id and by email (v3 object GET)', async () => {
      const { result, exchanges } = await traffic(async () => [
        await crm.getContact(target.contact.id),
        await crm.findContactByEmail(target.contact.email.toUpperCase()),
      ]);
      expect(result.map((c) => c?.id)).toEqual([target.contact.id, target.contact.id]);
      expect(statusesOf(exchanges, 'objects.getById')).toEqual([200, 200]);
    });

    it('pages companies and finds those modified since a time, oldest change first (hs_lastmodifieddate)', async () => {
      const { result, exchanges } = await traffic(async () => ({
        page: await crm.listCompanies({ limit: 2 }),
        modified: await crm.listCompaniesModifiedSince(new Date(0), { limit: 2 }),
        none: await crm.listCompaniesModifiedSince(new Date(Date.now() + 3_600_000), { limit: 2 }),
      }));
      expect(statusesOf(exchanges, 'objects.list')).toEqual([200]);
      expect(statusesOf(exchanges, 'objects.search')).toEqual([200, 200]);
      expect(result.none).toMatchObject({ results: [], total: 0 });
      if (result.page.results.length === 0) return cannotCheck(['objects.list'], 'the portal has no companies');
      expect(result.modified.total).toBeGreaterThan(0);
      for (const company of [...result.page.results, ...result.modified.results]) {
        expect(company.id).toMatch(/^\d+$/);
        expect(Number.isNaN(Date.parse(company.updatedAt))).toBe(false);
      }
      const stamps = result.modified.results.map((c) => Date.parse(c.updatedAt));
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      // The filter's property is the one updatedAt reports: a company is found as modified at its updatedAt.
      const newest = result.modified.results.at(-1)!;
      const since = await traffic(() =>
        crm.listCompaniesModifiedSince(new Date(Date.parse(newest.updatedAt)), { limit: 200 }),
      );
      expect(since.result.results.map((c) => c.id)).toContain(newest.id);
    });

    it('answers 404 OBJECT_NOT_FOUND for an unknown contact, which the adapter reads as none', async () => {
      const { result, exchanges } = await traffic(() => crm.getContact('999999999999'));
      expect(result).toBeNull();
      expect(exchanges.map((e) => [e.status, (e.responseBody as { category?: string }).category])).toEqual([
        [404, 'OBJECT_NOT_FOUND'],
      ]);
    });

    it('batch-reads contacts by id and by email; an unknown id makes a 207, not a failure', async () => {
      const { result, exchanges } = await traffic(async () => ({
        byId: await crm.getContacts([target.contact.id, '999999999999']),
        byEmail: await crm.findContactsByEmail([target.contact.email]),
      }));
      expect(result.byId.map((c) => c.id)).toEqual([target.contact.id]);
      expect(result.byEmail.map((c) => c.id)).toEqual([target.contact.id]);
      expect(statusesOf(exchanges, 'objects.batchRead')).toEqual([207, 200]);
      const partial = exchanges[0]!.responseBody as { errors: { category: string }[]; numErrors: number };
      expect(partial.errors[0]!.category).toBe('OBJECT_NOT_FOUND');
      expect(partial.numErrors).toBe(1);
    });

    it('pages contacts, searches them and reads a company', async () => {
      const { result, exchanges } = await traffic(async () => ({
        page: await crm.listContacts({ limit: 2 }),
        modified: await crm.listContactsModifiedSince(new Date(0), { limit: 2 }),
        company: target.companyId ? await crm.getCompany(target.companyId) : null,
      }));
      expect(result.page.results.length).toBeGreaterThan(0);
      expect(result.page.after).toEqual(expect.any(String));
      expect(result.modified.total).toBeGreaterThan(0);
      // Oldest change first: the sync's watermark follows lastmodifieddate.
      const stamps = result.modified.results.map((c) => Date.parse(c.updatedAt));
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(statusesOf(exchanges, 'objects.search')).toEqual([200]);
      await eventually(
        () => crm.searchContacts({ query: target.contact.email, limit: 3 }),
        (found) => found.some((c) => c.id === target.contact.id),
      );
      if (target.companyId) expect(result.company?.id).toBe(target.companyId);
    });

    it('writes contact properties one at a time and in a batch', async () => {
      const { exchanges } = await traffic(async () => {
        await crm.updateContactProperties(target.contact.id, { jobtitle: `${TEST_RECORD_MARK} single` });
        await crm.updateContactsProperties([
          { id: target.contact.id, properties: { jobtitle: `${TEST_RECORD_MARK} batch` } },
        ]);
      });
      expect(statusesOf(exchanges, 'objects.update')).toEqual([200]);
      expect(statusesOf(exchanges, 'objects.batchUpdate')).toEqual([200]);
      expect((await crm.getContact(target.contact.id))?.properties.jobtitle).toBe(`${TEST_RECORD_MARK} batch`);
    });

    it('refuses an unknown property with 400 VALIDATION_ERROR naming it; the adapter says bad request', async () => {
      const { result: error, exchanges } = await traffic(() =>
        rejection(crm.updateContactProperties(target.contact.id, { rapport_contract_no_such_property: 'x' })),
      );
      expect(error).toBeInstanceOf(CrmError);
      expect(error.code).toBe('CRM_BAD_REQUEST');
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]!.status).toBe(400);
      const body = exchanges[0]!.responseBody as { category: string; message: string };
      expect(body.category).toBe('VALIDATION_ERROR');
      expect(body.message).toContain('rapport_contract_no_such_property');
    });
  });

  describe('engagements, associations and tasks', () => {
    const run = `${TEST_RECORD_MARK}-${Date.now().toString(36)}`;
    const engagement = (kind: NewEngagement['kind'], n: number): NewEngagement => ({
      kind,
      idempotencyKey: `${run}-${kind}-${n}`,
      contactId: target.contact.id,
      timestamp: new Date().toISOString(),
      title: `${TEST_RECORD_MARK} ${kind}`,
      body: `Written by Rapport's HubSpot contract suite (${run}); safe to delete.`,
      firstAttempt: true,
    });
    let taskId: string;

    it('creates the idempotency key property where missing, then 409 OBJECT_ALREADY_EXISTS for it again', async () => {
      await traffic(() => crm.ensureSchema(SCHEMA));
      const client = new Client({ accessToken: target.token, basePath: proxy.url, numberOfApiCallRetries: 0 });
      const { result: status, exchanges } = await traffic(() =>
        client.crm.properties.coreApi
          .create('notes', {
            name: IDEMPOTENCY_KEY,
            label: 'Rapport idempotency key',
            type: 'string' as PropertyCreateTypeEnum,
            fieldType: 'text' as PropertyCreateFieldTypeEnum,
            groupName: PROPERTY_GROUP.name,
          })
          .then(
            () => 201,
            (error: { code: number }) => error.code,
          ),
      );
      expect(status).toBe(409);
      expect((exchanges[0]!.responseBody as { category: string }).category).toBe('OBJECT_ALREADY_EXISTS');
      const group = await traffic(() =>
        client.crm.properties.groupsApi.create('notes', { ...PROPERTY_GROUP }).then(
          () => 201,
          (error: { code: number }) => error.code,
        ),
      );
      // Created by an earlier step or run, or now: either is a documented answer.
      expect([201, 409]).toContain(group.result);
    });

    it('batch-creates engagements of every kind (201) with trace ids, and finds them again by key', async () => {
      const inputs = (['note', 'call', 'email', 'meeting'] as const).map((k) => engagement(k, 1));
      const { result, exchanges } = await traffic(() => crm.createEngagements(inputs));
      // Noted before any assertion, so a failing run still cleans up after itself.
      result.forEach((r, i) =>
        target.created.push({
          objectType: `${inputs[i]!.kind === 'note' ? 'notes' : `${inputs[i]!.kind}s`}`,
          id: r.id,
        }),
      );
      expect(result.every((r) => r.created)).toBe(true);
      expect(statusesOf(exchanges, 'objects.batchCreate')).toEqual([201, 201, 201, 201]);
      for (const e of exchanges.filter((x) => x.status === 201)) {
        const sent = (e.requestBody as { inputs: { objectWriteTraceId: string }[] }).inputs.map(
          (i) => i.objectWriteTraceId,
        );
        const back = (e.responseBody as { results: { objectWriteTraceId?: string }[] }).results.map(
          (r) => r.objectWriteTraceId,
        );
        expect(back).toEqual(sent);
      }
      // A fresh adapter knows nothing of them: only HubSpot's search can answer.
      const fresh = adapter();
      await eventually(
        () => fresh.findEngagementsByKeys('note', [inputs[0]!.idempotencyKey]),
        (found) => found.size === 1,
      );
    });

    it("reads a contact's timeline and open tasks through v4 associations and batch reads, and completes a task", async () => {
      const owners = await crm.listOwners();
      const [task] = await crm.createTasks([
        {
          idempotencyKey: `${run}-task`,
          ownerId: owners[0]!.id,
          subject: `${TEST_RECORD_MARK} follow-up`,
          body: 'Written by the contract suite; safe to delete.',
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
          contactIds: [target.contact.id],
        },
      ]);
      taskId = task!.id;
      target.created.push({ objectType: 'tasks', id: taskId });
      const { result, exchanges } = await traffic(async () => ({
        timeline: await adapter({ activityRead: 'v3' }).listContactEngagements(target.contact.id, 50),
        tasks: await adapter({ activityRead: 'v3' }).listOpenTasks(target.contact.id),
      }));
      expect(result.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['note', 'call', 'email', 'meeting']));
      expect(result.tasks.map((t) => t.id)).toContain(taskId);
      expect(statusesOf(exchanges, 'associations.batchRead').length).toBeGreaterThanOrEqual(5);
      // The same through the engagements v1 read: one request for the timeline and the tasks.
      const v1 = adapter();
      const { result: viaV1, exchanges: v1Exchanges } = await traffic(async () => {
        const [timeline, tasks] = await Promise.all([
          v1.listContactEngagements(target.contact.id, 50),
          v1.listOpenTasks(target.contact.id),
        ]);
        return { timeline, tasks };
      });
      expect(statusesOf(v1Exchanges, 'engagements.v1.associated')).toEqual([200]);
      expect(viaV1.timeline.map((e) => e.id)).toEqual(result.timeline.map((e) => e.id));
      expect(viaV1.tasks.map((t) => t.id)).toContain(taskId);
      const { exchanges: completing } = await traffic(() => crm.completeTask(taskId));
      expect(statusesOf(completing, 'objects.update')).toEqual([200]);
      expect((await crm.getTask(taskId))?.status).toBe('COMPLETED');
    });

    it('answers 404 OBJECT_NOT_FOUND when completing an unknown task', async () => {
      const { result: error, exchanges } = await traffic(() => rejection(crm.completeTask('999999999999')));
      expect(error.code).toBe('CRM_NOT_FOUND');
      expect(exchanges.map((e) => e.status)).toEqual([404]);
    });
  });

  describe('owners and lists', () => {
    it('lists owners and reads one; an unknown owner is a 404 the adapter reads as none', async () => {
      const { result, exchanges } = await traffic(async () => {
        const owners = await crm.listOwners();
        return { owners, one: await crm.getOwner(owners[0]!.id), none: await crm.getOwner('999999999') };
      });
      expect(result.owners.length).toBeGreaterThan(0);
      expect(result.one?.id).toBe(result.owners[0]!.id);
      expect(result.none).toBeNull();
      expect(statusesOf(exchanges, 'owners.getById')).toEqual([200, 404]);
    });

    it('answers 404 OBJECT_NOT_FOUND for the memberships of an unknown list', async () => {
      const { result: error, exchanges } = await traffic(() => rejection(crm.getListMemberships('999999999')));
      expect(error.code).toBe('CRM_NOT_FOUND');
      expect(exchanges.map((e) => e.status)).toEqual([404]);
    });

    it('searches contact lists and pages through a membership with its opaque cursor', async () => {
      const { result: lists } = await traffic(() => crm.listLists());
      const list = lists.find((l) => l.size > 1);
      if (!list) return cannotCheck(['lists.memberships'], 'no contact list with 2+ members');
      const { result } = await traffic(async () => {
        const first = await crm.getListMemberships(list.id, undefined, 1);
        const second = first.after ? await crm.getListMemberships(list.id, first.after, 1) : undefined;
        return { first, second };
      });
      expect(result.first.results).toHaveLength(1);
      expect(result.second?.results).toHaveLength(1);
      expect(result.second?.results[0]).not.toBe(result.first.results[0]);
    });
  });

  describe('authentication', () => {
    it('answers a wrong token with 401 INVALID_AUTHENTICATION, which the adapter does not retry', async () => {
      const { result: error, exchanges } = await traffic(() =>
        rejection(adapter({ accessToken: 'pat-na1-00000000-0000-0000-0000-000000000000' }).ping()),
      );
      expect(error.status).toBe(401);
      expect(exchanges.map((e) => [e.status, (e.responseBody as { category?: string }).category])).toEqual([
        [401, 'INVALID_AUTHENTICATION'],
      ]);
    });
  });

  describe('communication preferences', () => {
    it('reads subscription statuses in v4 batches, or falls back to v3 on 403 MISSING_SCOPES', async () => {
      const { result, exchanges } = await traffic(() =>
        adapter({ preferencesApi: 'auto' }).getEmailSubscriptionStatuses([
          target.contact.email,
          target.subscriberEmail,
        ]),
      );
      expect([...result.keys()].sort()).toEqual(
        [target.contact.email, target.subscriberEmail].map((e) => e.toLowerCase()).sort(),
      );
      const v4 = statusesOf(exchanges, 'preferences.v4.batchRead');
      expect(v4.length).toBeGreaterThan(0);
      if (v4[0] === 403) expect(statusesOf(exchanges, 'preferences.v3.status')).toEqual([200, 200]);
    });

    it('reads one address a request in v3 mode', async () => {
      const { exchanges } = await traffic(() =>
        adapter({ preferencesApi: 'v3' }).getEmailSubscriptionStatuses([target.contact.email]),
      );
      expect(statusesOf(exchanges, 'preferences.v3.status')).toEqual([200]);
    });

    it('subscribes an address with no status for a type to it in v3 mode: 200, the type SUBSCRIBED', async () => {
      if (!target.subscriptionId) return cannotCheck(['preferences.v3.subscribe'], 'no active subscription type');
      const subscriptionId = target.subscriptionId;
      const v3 = adapter({ preferencesApi: 'v3' });
      // The case the reference documents: a contact never subscribed nor unsubscribed (a fresh one on a portal).
      const { exchanges } = await traffic(() => v3.subscribeEmail(target.subscriberEmail, subscriptionId));
      expect(statusesOf(exchanges, 'preferences.v3.subscribe')).toEqual([200]);
      expect(exchanges[0]!.responseBody).toMatchObject({ id: subscriptionId, status: 'SUBSCRIBED' });
      const { result } = await traffic(() => v3.getEmailSubscriptionStatuses([target.subscriberEmail]));
      const status = result.get(target.subscriberEmail.toLowerCase());
      expect(status?.optedOutOfAll).toBe(false);
      expect(status?.unsubscribedFrom).not.toContain(subscriptionId);
    });

    it('unsubscribes from one type (v3 mode, then v4) and from all email, and reads it back', async () => {
      if (!target.subscriptionId)
        return cannotCheck(
          ['preferences.v4.update', 'preferences.v3.unsubscribe', 'preferences.v4.unsubscribeAll'],
          'no active subscription type',
        );
      const type = { kind: 'type' as const, id: target.subscriptionId };
      const { exchanges } = await traffic(async () => {
        await adapter({ preferencesApi: 'v3' }).unsubscribeEmail(target.subscriberEmail, type);
        // v3 refuses an unsubscribe already in place (400), which the adapter takes as done.
        await adapter({ preferencesApi: 'v3' }).unsubscribeEmail(target.subscriberEmail, type);
        // v4 sets a status already in place without complaint.
        await adapter({ preferencesApi: 'v4' }).unsubscribeEmail(target.subscriberEmail, type);
        await crm.unsubscribeEmail(target.subscriberEmail, { kind: 'all' });
      });
      expect(statusesOf(exchanges, 'preferences.v3.unsubscribe')).toEqual([200, 400]);
      expect(statusesOf(exchanges, 'preferences.v4.update')).toEqual([200]);
      expect(statusesOf(exchanges, 'preferences.v4.unsubscribeAll')).toEqual([200]);
      const { result } = await traffic(() =>
        adapter({ preferencesApi: 'v3' }).getEmailSubscriptionStatuses([target.subscriberEmail]),
      );
      expect(result.get(target.subscriberEmail.toLowerCase())?.optedOutOfAll).toBe(true);

      // HubSpot's guide: v3 will not subscribe again a contact who opted out (v4 can). The refusal
      // (400) reaches the caller: the preference centre must not tell the customer it worked.
      const { result: refusal, exchanges: again } = await traffic(() =>
        rejection(adapter({ preferencesApi: 'v3' }).subscribeEmail(target.subscriberEmail, type.id)),
      );
      expect(statusesOf(again, 'preferences.v3.subscribe')).toEqual([400]);
      expect((again[0]!.responseBody as { category?: string }).category).toBe('VALIDATION_ERROR');
      expect(refusal).toMatchObject({ code: 'CRM_BAD_REQUEST', status: 400 });
    });
  });

  describe('setup and doctor', () => {
    it("reads the token's scopes, the portal's properties and lists, and measures the search lag on a note it archives", async () => {
      const tools = portalTools({ accessToken: target.token, basePath: proxy.url, lagTimeoutMs: 30_000 });
      const { result, exchanges } = await traffic(async () => ({
        scopes: await tools.checkScopes(),
        lists: await tools.checkLists(),
        lag: await tools.measureSearchLag(),
      }));
      expect(statusesOf(exchanges, 'tokenInfo')).toEqual([200]);
      expect(result.scopes.length).toBeGreaterThan(0);
      expect(result.lag.status).toBe('ok');
      expect(statusesOf(exchanges, 'objects.create')).toEqual([201]);
      expect(statusesOf(exchanges, 'objects.archive')).toEqual([204]);
    });
  });

  describe('answers only the sandbox can be made to give', () => {
    it('403 MISSING_SCOPES names the scope the call needs', async ({ skip }) => {
      if (!target.sandbox) return skip();
      target.sandbox.access.scopes = new Set(SANDBOX_SCOPES.filter((s) => s !== 'crm.objects.owners.read'));
      try {
        const { result: error, exchanges } = await traffic(() => rejection(crm.listOwners()));
        expect(error.status).toBe(403);
        const body = exchanges[0]!.responseBody as {
          category: string;
          errors: { context: { requiredGranularScopes: string[] } }[];
        };
        expect(body.category).toBe('MISSING_SCOPES');
        expect(body.errors[0]!.context.requiredGranularScopes).toContain('crm.objects.owners.read');
      } finally {
        target.sandbox.access.scopes = null;
      }
    });

    it('429 without Retry-After: the envelope names the limit, and the adapter waits and retries', async ({ skip }) => {
      if (!target.sandbox) return skip();
      target.sandbox.faults.set({ status: 429, omitRetryAfter: true, times: 1, pathPrefix: '/crm/v3/owners' });
      const { result, exchanges } = await traffic(() => crm.listOwners());
      expect(result.length).toBeGreaterThan(0);
      expect(exchanges.map((e) => e.status)).toEqual([429, 200]);
      expect(exchanges[0]!.headers['retry-after']).toBeUndefined();
      expect(exchanges[0]!.responseBody).toMatchObject({ errorType: 'RATE_LIMIT', category: 'RATE_LIMITS' });
    });

    it('207 partial batch create: the failed inputs come back named by their trace id, and only they are sent again', async ({
      skip,
    }) => {
      if (!target.sandbox) return skip();
      target.sandbox.realism.set({ partialBatchCreateRate: 0.5, seed: 7 });
      try {
        const inputs = Array.from({ length: 6 }, (_, n): NewEngagement => ({
          kind: 'note',
          idempotencyKey: `${TEST_RECORD_MARK}-partial-${n}`,
          contactId: target.contact.id,
          timestamp: new Date().toISOString(),
          body: 'partial batch',
          firstAttempt: true,
        }));
        // However the retries end (all created, or some refused for good), what was sent is the point.
        const { exchanges } = await traffic(() => crm.createEngagements(inputs).catch(() => undefined));
        const creates = exchanges.filter((e) => checkExchange(e).operation?.id === 'objects.batchCreate');
        expect(creates[0]!.status).toBe(207);
        const failed = (
          creates[0]!.responseBody as { errors: { context: { objectWriteTraceId: string[] } }[] }
        ).errors.flatMap((e) => e.context.objectWriteTraceId);
        expect(failed.length).toBeGreaterThan(0);
        const resent = (creates[1]!.requestBody as { inputs: { objectWriteTraceId: string }[] }).inputs.map(
          (i) => i.objectWriteTraceId,
        );
        expect(resent.sort()).toEqual(failed.sort());
      } finally {
        target.sandbox.realism.set({ partialBatchCreateRate: 0 });
      }
    });
  });

  it('exercised every operation of the fact table', () => {
    const missing = HUBSPOT_OPERATIONS.map((op) => op.id).filter((id) => !exercised.has(id) && !notChecked.has(id));
    expect(missing).toEqual([]);
  });
}
