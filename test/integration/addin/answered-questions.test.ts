import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';

// A question answered in the add-in is gone from the very next context read: before the touch
// workflow has written the answer to the CRM, and after it, though the contact was cached earlier.
let t: TestRapport;
let auth: string;

beforeAll(async () => {
  t = await startTestRapport({
    env: { ADDIN_DEV_AUTH: 'true', ADDIN_DEV_USER: 'ana.rep@contoso.example', CRM_RETRY_MAX_INTERVAL_SECONDS: '1' },
  });
  const res = await t.rapport.app.request('http://127.0.0.1/api/addin/dev-token', { method: 'POST' });
  expect(res.status).toBe(200);
  auth = `Bearer ${((await res.json()) as { token: string }).token}`;
});
afterAll(async () => {
  await t?.stop();
});

type Context = { nextQuestions: { id: string; prompt?: string }[] };
const contextOf = async (email: string) => {
  const res = await t.rapport.app.request(`/api/addin/context?email=${encodeURIComponent(email)}`, {
    headers: { authorization: auth },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Context;
};

describe('answered questions', () => {
  it('a question answered in the add-in is not offered on the next context read, nor after the CRM write', async () => {
    const before = await contextOf(DEMO.maria.email);
    const question = before.nextQuestions[0];
    expect(question).toBeDefined();

    // Hold the touch workflow's CRM write back: the answer is still only in Rapport.
    t.sandbox.faults.set({ status: 503, durationMs: 60_000, pathPrefix: '/crm/v3/objects/contacts/batch/update' });
    const res = await t.rapport.app.request('/api/addin/touches', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        contactEmail: DEMO.maria.email,
        summary: 'Call about the renewal',
        channel: 'call',
        answers: { [question!.id]: 'Grow EMEA revenue' },
      }),
    });
    expect(res.status).toBe(202);
    const touch = (await res.json()) as { statusUrl: string };

    const pending = await contextOf(DEMO.maria.email);
    expect(pending.nextQuestions.map((q) => q.id)).not.toContain(question!.id);

    t.sandbox.faults.clear();
    await eventually(async () => {
      const s = (await (await t.rapport.app.request(touch.statusUrl, { headers: { authorization: auth } })).json()) as {
        status: string;
      };
      return s.status === 'synced' ? s : undefined;
    });
    const contact = await t.rapport.crm.findContactByEmail(DEMO.maria.email);
    expect(Object.values(contact!.properties)).toContain('Grow EMEA revenue');
    expect((await contextOf(DEMO.maria.email)).nextQuestions.map((q) => q.id)).not.toContain(question!.id);
  });
});
