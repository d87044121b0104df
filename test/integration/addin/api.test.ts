import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { TEST_CLIENT, TEST_TENANT } from '../../../testkit/oidc-issuer.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, OFFICER, REQUESTER, mailFor, submit, waitForStatus } from '../broadcast/support.js';

/** The add-in API with Entra-style tokens from the local OpenID Connect issuer (testkit/oidc-issuer.ts). */
const TENANT = TEST_TENANT;
const CLIENT = TEST_CLIENT;
let t: TestRapport;

const token = (claims: Record<string, unknown> = {}, opts: { forged?: boolean; exp?: number; aud?: string } = {}) =>
  t.issuer!.mint(String(claims.preferred_username ?? 'ana.rep@contoso.example'), {
    claims,
    ...(opts.aud ? { audience: opts.aud } : {}),
    ...(opts.exp !== undefined ? { expiresIn: opts.exp - Math.floor(Date.now() / 1000) } : {}),
    ...(opts.forged ? { forged: true } : {}),
  });

const call = (path: string, auth: string | null, init: RequestInit & { json?: unknown } = {}) =>
  t.rapport.app.request(path, {
    ...init,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });

beforeAll(async () => {
  t = await startTestRapport({ env: BROADCAST_ENV });
});
afterAll(async () => {
  await t?.stop();
});

describe('add-in API', () => {
  it('serves the pane its configuration: Entra sign-in, no development mode', async () => {
    const config = (await (await call('/addin/config.json', null)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      auth: 'entra',
      clientId: CLIENT,
      tenantId: TENANT,
      scopes: [`api://rapport.example.com/${CLIENT}/access_as_user`],
      devUser: null,
    });
    expect((await call('/api/addin/dev-token', null, { method: 'POST' })).status).toBe(404);
  });

  it.each([
    ['missing', async () => null],
    ['expired', async () => `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 600 })}`],
    ['forged', async () => `Bearer ${await token({}, { forged: true })}`],
    ['for another app', async () => `Bearer ${await token({}, { aud: 'bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee' })}`],
    ['an API token', async () => 'Bearer test-token-0123456789abcdefghij'],
  ])('answers 401 to a token that is %s', async (_name, auth) => {
    const res = await call(`/api/addin/context?email=${DEMO.joe.email}`, await auth());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('rapport-addin');
  });

  it('gives the customer context with the next best action for a valid token', async () => {
    const res = await call(`/api/addin/context?email=${encodeURIComponent(DEMO.joe.email)}`, `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      contact: { email: string };
      nextBestAction: { action: string; reason: string };
    };
    expect(body.contact.email).toBe(DEMO.joe.email);
    expect(body.nextBestAction.reason).toMatch(/You ordered \d+ days ago/);
    // The API-token route carries it too.
    const viaApi = (await (await t.api(`/api/customers/context?email=${DEMO.joe.email}`)).json()) as Record<
      string,
      unknown
    >;
    expect(viaApi.nextBestAction).toEqual(body.nextBestAction);
  });

  it('logs a touch as the user in the token, never as one named in the body', async () => {
    const auth = `Bearer ${await token()}`;
    const spoof = await call('/api/addin/touches', auth, {
      method: 'POST',
      json: { contactEmail: DEMO.maria.email, summary: 'x', loggedBy: 'ceo@contoso.example' },
    });
    expect(spoof.status).toBe(400);

    const res = await call('/api/addin/touches', auth, {
      method: 'POST',
      json: { contactEmail: DEMO.maria.email, summary: 'Email "Campaign results"', messageId: '<m1@mail.example>' },
    });
    expect(res.status).toBe(202);
    const touch = (await res.json()) as { id: string; statusUrl: string };
    expect(touch.statusUrl).toBe(`/api/addin/touches/${touch.id}`);
    const synced = await eventually(async () => {
      const s = (await (await call(touch.statusUrl, auth)).json()) as {
        status: string;
        engagement: { id: string } | null;
      };
      return s.status === 'synced' ? s : undefined;
    });
    const contact = (await t.rapport.crm.findContactByEmail(DEMO.maria.email))!;
    const written = (await t.rapport.crm.listContactEngagements(contact.id)).find(
      (e) => e.id === synced.engagement!.id,
    );
    expect(written?.kind).toBe('email');
    expect(written?.body).toContain('Logged by ana.rep@contoso.example via Rapport (outlook)');

    // The same email again is the same touch.
    const again = await call('/api/addin/touches', auth, {
      method: 'POST',
      json: { contactEmail: DEMO.maria.email, summary: 'Email "Campaign results"', messageId: '<m1@mail.example>' },
    });
    expect((await again.json()) as { id: string; duplicate: boolean }).toMatchObject({ id: touch.id, duplicate: true });
  });

  it('lists open follow-ups in the context; their owner marks one done, and the task says who', async () => {
    const auth = `Bearer ${await token()}`;
    type Ctx = { followUps: { id: string; subject: string; dueAt: string | null; ownerId: string | null }[] };
    const contextOf = async () =>
      (await (await call(`/api/addin/context?email=${encodeURIComponent(DEMO.maria.email)}`, auth)).json()) as Ctx;
    const before = await contextOf();
    const review = before.followUps.find((f) => f.subject === 'Book the partnership review');
    expect(review).toMatchObject({ dueAt: expect.any(String) as string });
    const task = () => t.sandbox.records('tasks').find((r) => r.id === review!.id)!;

    // A task Rapport did not create, owned by someone else: not Ana's to complete.
    const notHers = await call(`/api/addin/follow-ups/${review!.id}/complete`, auth, { method: 'POST' });
    expect(notHers.status).toBe(403);
    expect(await notHers.json()).toMatchObject({ error: { code: 'FORBIDDEN', field: 'id' } });
    expect(task().properties.hs_task_status).toBe('NOT_STARTED');

    // Its owner (the CRM owner with the signed-in user's email) may.
    const owner = (await t.rapport.crm.getOwner(review!.ownerId!))!;
    const ownerAuth = `Bearer ${await token({ preferred_username: owner.email.toUpperCase(), oid: 'o-owner' })}`;
    const res = await call(`/api/addin/follow-ups/${review!.id}/complete`, ownerAuth, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: review!.id, status: 'completed' });
    expect((await contextOf()).followUps.map((f) => f.id)).not.toContain(review!.id);
    expect(task().properties.hs_task_status).toBe('COMPLETED');
    expect(task().properties.hs_task_body).toMatch(
      new RegExp(
        `^Follow up with Maria\\.\\n\\nCompleted by ${owner.email.toUpperCase()} via Rapport \\(outlook\\) at 20\\d\\d-`,
        'i',
      ),
    );
    // Done already is fine, and written once.
    expect((await call(`/api/addin/follow-ups/${review!.id}/complete`, ownerAuth, { method: 'POST' })).status).toBe(
      200,
    );
    expect(task().properties.hs_task_body!.match(/Completed by/g)).toHaveLength(1);

    const unknown = await call('/api/addin/follow-ups/99999999/complete', auth, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const bad = await call('/api/addin/follow-ups/not-a-task/complete', auth, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('id');
    expect((await call(`/api/addin/follow-ups/${review!.id}/complete`, null, { method: 'POST' })).status).toBe(401);
  });

  it('a follow-up Rapport created can be completed by any signed-in user, and says by whom', async () => {
    const joe = (await t.rapport.crm.findContactByEmail(DEMO.joe.email))!;
    const { id } = await t.rapport.crm.createTask({
      idempotencyKey: 'test-followup-addin-1',
      ownerId: joe.ownerId!,
      subject: 'Answer the customer',
      body: 'They asked about the alert.',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      contactIds: [joe.id],
    });
    const res = await call(`/api/addin/follow-ups/${id}/complete`, `Bearer ${await token()}`, { method: 'POST' });
    expect(res.status).toBe(200);
    const record = t.sandbox.records('tasks').find((r) => r.id === id)!;
    expect(record.properties.hs_task_status).toBe('COMPLETED');
    expect(record.properties.hs_task_body).toMatch(
      /^They asked about the alert\.\n\nCompleted by ana\.rep@contoso\.example via Rapport \(outlook\) at /,
    );
  });

  it('API-token clients complete only the follow-ups Rapport created', async () => {
    const joe = (await (await t.api(`/api/customers/context?email=${DEMO.joe.email}`)).json()) as {
      followUps: { id: string; subject: string }[];
    };
    const seeded = joe.followUps.find((f) => f.subject === 'Send Q4 pricing')!;
    expect(seeded).toBeDefined();
    const refused = await t.api(`/api/customers/follow-ups/${seeded.id}/complete`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN', field: 'id' } });

    const contact = (await t.rapport.crm.findContactByEmail(DEMO.joe.email))!;
    const pricing = await t.rapport.crm.createTask({
      idempotencyKey: 'test-followup-api-1',
      ownerId: contact.ownerId!,
      subject: 'Send the new pricing',
      body: '',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      contactIds: [contact.id],
    });
    const res = await t.api(`/api/customers/follow-ups/${pricing.id}/complete`, { method: 'POST' });
    expect(res.status).toBe(200);
    const after = (await (await t.api(`/api/customers/context?email=${DEMO.joe.email}`)).json()) as {
      followUps: { id: string }[];
    };
    expect(after.followUps.map((f) => f.id)).not.toContain(pricing.id);
    expect(after.followUps.map((f) => f.id)).toContain(seeded.id);
    expect(t.sandbox.records('tasks').find((r) => r.id === pricing.id)?.properties.hs_task_body).toMatch(
      /^Completed by an API client via Rapport \(api\) at /,
    );
    expect((await t.api('/api/customers/follow-ups/99999999/complete', { method: 'POST' })).status).toBe(404);
    expect((await t.api('/api/customers/follow-ups/0x12/complete', { method: 'POST' })).status).toBe(400);
    expect(
      (
        await t.api(`/api/customers/follow-ups/${pricing.id}/complete`, {
          method: 'POST',
          headers: { authorization: '' },
        })
      ).status,
    ).toBe(401);
  });

  it('a person on the API completes the follow-ups they own, and the task says who', async () => {
    const maria = (await t.rapport.crm.findContactByEmail(DEMO.maria.email))!;
    const joe = (await t.rapport.crm.findContactByEmail(DEMO.joe.email))!;
    const task = t.sandbox
      .records('tasks')
      .find((r) => r.properties.hs_task_subject === 'Send Q4 pricing' && r.properties.hs_task_status !== 'COMPLETED')!;
    expect(task).toBeDefined();
    const owner = (await t.rapport.crm.getOwner(joe.ownerId!))!;
    // The same person as in the add-in test above when Maria and Joe share an owner: one email, one oid.
    const ownerToken = await token(
      maria.ownerId === joe.ownerId
        ? { preferred_username: owner.email.toUpperCase(), oid: 'o-owner' }
        : { preferred_username: owner.email },
    );
    const someoneElse = await call(`/api/customers/follow-ups/${task.id}/complete`, `Bearer ${await token()}`, {
      method: 'POST',
    });
    expect(someoneElse.status).toBe(403);
    const res = await call(`/api/customers/follow-ups/${task.id}/complete`, `Bearer ${ownerToken}`, { method: 'POST' });
    expect(res.status).toBe(200);
    const done = t.sandbox.records('tasks').find((r) => r.id === task.id)!;
    expect(done.properties.hs_task_status).toBe('COMPLETED');
    expect(done.properties.hs_task_body).toMatch(
      new RegExp(`Completed by ${owner.email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} via Rapport \\(api\\) at `, 'i'),
    );
  });

  it('names the field of bad input and keeps unknown senders a 404', async () => {
    const auth = `Bearer ${await token()}`;
    const bad = await call('/api/addin/context?email=not-an-email', auth);
    expect(bad.status).toBe(400);
    const unknown = await call('/api/addin/context?email=nobody@nowhere.example', auth);
    expect(unknown.status).toBe(404);
  });
});

describe('add-in approvals', () => {
  let alertId: string;
  const as = async (email: string) => `Bearer ${await token({ preferred_username: email })}`;
  const decide = async (email: string, json: unknown, id = alertId) =>
    call(`/api/addin/alerts/${id}/decision`, await as(email), { method: 'POST', json });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

  it('shows an approver the alert: preview, requester, audience with duplicates and channel mix', async () => {
    alertId = await submit(t, { lists: ['1', '2', '3', '4', '6'], title: 'Rates move (Outlook)' });
    const api = await waitForStatus(t, alertId, 'awaiting_approval');
    await eventually(async () => mailFor(t, APPROVER, alertId)[0]);

    const res = await call(`/api/addin/alerts/${alertId}`, await as(APPROVER.toUpperCase()));
    expect(res.status).toBe(200);
    const view = (await res.json()) as {
      title: string;
      preview: string;
      requester: string;
      status: string;
      audience: { duplicates: number; deliveries: number; channelMix: Record<string, number> };
      decision: unknown;
      you: { email: string; role: string; canDecide: boolean };
    };
    expect(view).toMatchObject({
      title: 'Rates move (Outlook)',
      requester: REQUESTER,
      status: 'awaiting_approval',
      decision: null,
      you: { email: APPROVER, role: 'approver', canDecide: true },
    });
    expect(view.preview).toContain('fixed deposit');
    expect(view.preview).not.toContain('**');
    // The approver's own link to the alert's trail page, which opens for them.
    const trailUrl = (view as unknown as { trailUrl: string }).trailUrl;
    expect(trailUrl).toMatch(/\/trail\/[\w-]+\.[\w-]+$/);
    const trailPage = await t.rapport.app.request(new URL(trailUrl).pathname);
    expect(trailPage.status).toBe(200);
    expect(await trailPage.text()).toContain(`Shown to ${APPROVER}`);
    expect(view.audience.duplicates).toBe(api.audience!.duplicates);
    expect(view.audience.duplicates).toBeGreaterThan(0);
    expect(view.audience.channelMix.email).toBe(api.audience!.deliveries);

    const mine = (await (await call(`/api/addin/alerts/${alertId}`, await as(REQUESTER))).json()) as {
      you: { role: string; canDecide: boolean };
    };
    expect(mine.you).toMatchObject({ role: 'requester', canDecide: false });
    expect((await call(`/api/addin/alerts/${alertId}`, await as('mallory@contoso.example'))).status).toBe(403);
    expect((await call(`/api/addin/alerts/alr_01jzzzzzzzzzzzzzzzzzzzzzzz`, await as(APPROVER))).status).toBe(404);
    expect((await call(`/api/addin/alerts/not-an-alert`, await as(APPROVER))).status).toBe(400);
    expect((await call(`/api/addin/alerts/${alertId}`, null)).status).toBe(401);
  });

  it('refuses a body approver, strangers, the requester (four eyes), unknown alerts and a reasonless reject', async () => {
    const spoof = await decide(REQUESTER, { approver: APPROVER, decision: 'approve' });
    expect(spoof.status).toBe(400);
    expect((await errorOf(spoof)).field).toBe('approver');

    const stranger = await decide('mallory@contoso.example', { decision: 'approve' });
    expect(stranger.status).toBe(403);
    expect((await errorOf(stranger)).message).toMatch(/not in this alert's approver group/);
    const self = await decide(REQUESTER, { decision: 'approve' });
    expect(self.status).toBe(403);
    expect((await errorOf(self)).message).toMatch(/four eyes/);

    expect((await decide(APPROVER, { decision: 'approve' }, 'alr_01jzzzzzzzzzzzzzzzzzzzzzzz')).status).toBe(404);
    const noReason = await decide(APPROVER, { decision: 'reject', reason: '  ' });
    expect(noReason.status).toBe(400);
    expect((await errorOf(noReason)).field).toBe('reason');
    expect((await decide(APPROVER, { decision: 'maybe' })).status).toBe(400);
    expect((await call(`/api/addin/alerts/${alertId}/decision`, null, { method: 'POST', json: {} })).status).toBe(401);

    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string; outcome: string; source: string }[];
    };
    expect(audit.audit.filter((a) => a.outcome === 'refused' && a.source === 'outlook').map((a) => a.actor)).toEqual([
      'mallory@contoso.example',
      REQUESTER,
      APPROVER,
    ]);
    expect((await (await t.api(`/api/alerts/${alertId}`)).json()) as { status: string }).toMatchObject({
      status: 'awaiting_approval',
    });
  });

  it('approves as the user in the token through the workflow; a second decision is a 409 naming who decided', async () => {
    const res = await decide(APPROVER, { decision: 'approve', version: 1 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      result: { decision: string; approver: string };
      alert: { status: string; decision: { decision: string; by: string } };
    };
    expect(body.result).toMatchObject({ decision: 'approve', approver: APPROVER });
    expect(body.alert.decision).toMatchObject({ decision: 'approve', by: APPROVER });
    await waitForStatus(t, alertId, ['approved', 'dispatching', 'following_up', 'completed']);

    const again = await decide(OFFICER, { decision: 'reject', reason: 'too late' });
    expect(again.status).toBe(409);
    const conflict = (await again.json()) as { error: { message: string }; decision: { by: string; decision: string } };
    expect(conflict.decision).toMatchObject({ by: APPROVER, decision: 'approve' });
    expect(conflict.error.message).toContain(APPROVER);

    const view = (await (await call(`/api/addin/alerts/${alertId}`, await as(OFFICER))).json()) as {
      decision: { by: string };
      you: { canDecide: boolean };
    };
    expect(view.decision.by).toBe(APPROVER);
    expect(view.you.canDecide).toBe(false);
    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string; outcome: string; source: string; action: string }[];
    };
    expect(audit.audit).toContainEqual(
      expect.objectContaining({ actor: APPROVER, outcome: 'accepted', source: 'outlook', action: 'approve' }),
    );
  });
});
