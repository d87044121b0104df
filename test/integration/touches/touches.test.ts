import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { DEMO } from '../../../testkit/demo-data.js';

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport();
});
afterAll(async () => {
  await t?.stop();
});

const touch = (overrides: Record<string, unknown> = {}) => ({
  contact: { email: DEMO.joe.email },
  channel: 'call',
  summary: 'Discussed the renewal and the new pricing',
  loggedBy: 'ana@rapport.example',
  ...overrides,
});

async function settled(id: string) {
  return eventually(async () => {
    const body = (await (await t.api(`/api/touches/${id}`)).json()) as { status: string };
    return body.status === 'pending' ? undefined : (body as Record<string, unknown>);
  });
}

describe('logging a touch', () => {
  it('lands on the contact timeline in the CRM, with answers as contact properties', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: touch({ answers: { main_goal: 'Cut reporting time in half' }, outcome: 'Wants a quote' }),
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string; statusUrl: string };
    expect(accepted.status).toBe('pending');
    expect(res.headers.get('location')).toBe(accepted.statusUrl);

    const done = await settled(accepted.id);
    expect(done.status).toBe('synced');
    const engagement = done.engagement as { id: string; kind: string };
    expect(engagement.kind).toBe('call');

    const contact = await t.rapport.crm.findContactByEmail(DEMO.joe.email);
    const timeline = await t.rapport.crm.listContactEngagements(contact!.id);
    const written = timeline.find((e) => e.id === engagement.id);
    expect(written?.body).toContain('Discussed the renewal');
    expect(written?.body).toContain('Outcome: Wants a quote');
    expect(written?.idempotencyKey).toBe(accepted.id);
    expect(
      contact!.properties.rapport_q_main_goal ??
        (await t.rapport.crm.getContact(contact!.id))?.properties.rapport_q_main_goal,
    ).toBe('Cut reporting time in half');
  });

  it('accepts a contact by CRM id and chat/visit/other as notes', async () => {
    const contact = await t.rapport.crm.findContactByEmail(DEMO.joe.email);
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: touch({ contact: { crmId: contact!.id }, channel: 'visit', summary: 'Visited the plant' }),
    });
    expect(res.status).toBe(202);
    const done = await settled(((await res.json()) as { id: string }).id);
    expect(done.engagement).toMatchObject({ kind: 'note' });
  });

  it('writes one engagement when the same touch is posted 5 times at once', async () => {
    const key = `same-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.api('/api/touches', { method: 'POST', json: touch({ idempotencyKey: key, summary: `Idempotent ${key}` }) }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    await settled(id);

    // Posting again after it synced still does not write a second one.
    const again = await t.api('/api/touches', {
      method: 'POST',
      json: touch({ idempotencyKey: key, summary: `Idempotent ${key}` }),
    });
    expect(again.status).toBe(202);
    expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);

    const contact = await t.rapport.crm.findContactByEmail(DEMO.joe.email);
    const matching = (await t.rapport.crm.listContactEngagements(contact!.id, 500)).filter(
      (e) => e.idempotencyKey === id,
    );
    expect(matching).toHaveLength(1);
  });

  it('refuses to reuse an idempotency key for different content', async () => {
    const key = `reuse-${Date.now()}`;
    expect((await t.api('/api/touches', { method: 'POST', json: touch({ idempotencyKey: key }) })).status).toBe(202);
    const res = await t.api('/api/touches', { method: 'POST', json: touch({ idempotencyKey: key, summary: 'Other' }) });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'CONFLICT', field: 'idempotencyKey' } });
  });
});

describe('bad input gets a 4xx naming the field, never a 500', () => {
  it.each([
    ['contact', touch({ contact: undefined })],
    ['contact.email', touch({ contact: { email: 'nope' } })],
    ['contact', touch({ contact: { email: 'a@b.co', crmId: '12' } })],
    ['contact.crmId', touch({ contact: { crmId: 'x1' } })],
    ['channel', touch({ channel: 'pigeon' })],
    ['channel', touch({ channel: 42 })],
    ['summary', touch({ summary: '' })],
    ['summary', touch({ summary: '   ' })],
    ['summary', touch({ summary: 'x'.repeat(10_001) })],
    ['summary', touch({ summary: ['a'] })],
    ['occurredAt', touch({ occurredAt: '24/11/2026' })],
    ['loggedBy', touch({ loggedBy: undefined })],
    ['outcome', touch({ outcome: 'x'.repeat(501) })],
    ['answers.main_goal', touch({ answers: { main_goal: 'x'.repeat(1001) } })],
    ['answers.favourite_colour', touch({ answers: { favourite_colour: 'blue' } })],
    ['idempotencyKey', touch({ idempotencyKey: 'x'.repeat(201) })],
    ['sourceUrl', touch({ sourceUrl: 'not a url' })],
    ['source', touch({ source: 'fax' })],
  ])('%s', async (field, body) => {
    const res = await t.api('/api/touches', { method: 'POST', json: body });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: { field: string; message: string } }).error;
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('unknown contact -> 422 naming contact.email', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: touch({ contact: { email: 'nobody@nowhere.example' } }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'UNKNOWN_CONTACT', field: 'contact.email' } });
  });

  it('unknown CRM id -> 422 naming contact.crmId', async () => {
    const res = await t.api('/api/touches', { method: 'POST', json: touch({ contact: { crmId: '999999999' } }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { field: 'contact.crmId' } });
  });

  it('malformed JSON -> 400', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"contact":',
    });
    expect(res.status).toBe(400);
  });

  it('oversized body -> 4xx, not 500', async () => {
    const res = await t.api('/api/touches', { method: 'POST', json: touch({ summary: 'x'.repeat(100_000) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: '(body)' } });
  });

  it('missing or wrong token -> 401', async () => {
    expect((await t.rapport.app.request('/api/touches', { method: 'POST' })).status).toBe(401);
    const wrong = await t.api('/api/touches', {
      method: 'POST',
      json: touch(),
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('status of an unknown or malformed id -> 404 / 400', async () => {
    expect((await t.api('/api/touches/tch_00000000000000000000000000')).status).toBe(404);
    expect((await t.api('/api/touches/../../etc')).status).toBeLessThan(500);
    expect((await t.api('/api/touches/DROP%20TABLE')).status).toBe(400);
  });
});

describe('customer context', () => {
  it('has profile, owner, company, segments and a newest-first timeline', async () => {
    const res = await t.api(`/api/customers/context?email=${encodeURIComponent(DEMO.joe.email.toUpperCase())}`);
    expect(res.status).toBe(200);
    const ctx = (await res.json()) as {
      contact: { email: string };
      owner: { email: string } | null;
      company: { name: string } | null;
      segments: { valueTier: { tier: string }; relationship: { label: string }; lastPurchase: { recency: string } };
      timeline: { at: string; body: string }[];
      nextQuestions: { id: string }[];
    };
    expect(ctx.contact.email.toLowerCase()).toBe(DEMO.joe.email.toLowerCase());
    expect(ctx.owner?.email).toBeTruthy();
    expect(ctx.company?.name).toBeTruthy();
    expect(ctx.segments.valueTier.tier).toMatch(/platinum|gold|silver|bronze|prospect/);
    expect(ctx.segments.relationship.label).not.toBe('unknown');
    expect(ctx.timeline.length).toBeGreaterThan(0);
    const times = ctx.timeline.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(ctx.timeline.some((e) => e.body.includes('Discussed the renewal'))).toBe(true);
    // main_goal was answered in the first test: it is never offered again.
    expect(ctx.nextQuestions.map((q) => q.id)).not.toContain('main_goal');
    expect(ctx.nextQuestions.length).toBeLessThanOrEqual(2);
  });

  it('404 for an unknown email, 400 for a malformed one', async () => {
    expect((await t.api('/api/customers/context?email=ghost@nowhere.example')).status).toBe(404);
    const bad = await t.api('/api/customers/context?email=ghost');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'email' } });
  });
});

describe('health', () => {
  it('healthz and readyz answer', async () => {
    expect((await t.rapport.app.request('/healthz')).status).toBe(200);
    const ready = await t.rapport.app.request('/readyz');
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { temporal: { ok: true }, store: { ok: true } },
    });
  });
});

describe('readiness when the CRM is down', () => {
  it('readyz stays 200 (touches are still taken); the status names the CRM failing; healthz stays 200', async () => {
    t.sandbox.faults.set({ status: 503, durationMs: 20_000 });
    try {
      const ready = await t.rapport.app.request('/readyz');
      expect(ready.status).toBe(200);
      const status = (await (await t.api('/api/status')).json()) as {
        status: string;
        crm: { state: string; reachable: boolean };
      };
      expect(status).toMatchObject({ status: 'degraded', crm: { state: 'failing', reachable: true } });
      expect((await t.rapport.app.request('/healthz')).status).toBe(200);
    } finally {
      t.sandbox.faults.clear();
    }
  });
});
