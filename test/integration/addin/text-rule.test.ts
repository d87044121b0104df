import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { decideUpdate } from '../../../workflows/broadcast/shared.js';
import { APPROVER, BROADCAST_ENV, OFFICER, REQUESTER, getAlert, submit, waitForStatus } from '../broadcast/support.js';

/**
 * One text rule for every stored string (domain/text.ts): a NUL or another control character is a
 * 400 naming the field on every surface, and a decision can never wedge an alert, even one that
 * slips past the edge straight into the workflow's Update.
 */
let t: TestRapport;

beforeAll(async () => {
  // People sign in at the harness's local OpenID Connect issuer (testkit/oidc-issuer.ts).
  t = await startTestRapport({ env: BROADCAST_ENV });
});
afterAll(async () => {
  await t?.stop();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const addin = async (path: string, email: string, json: unknown) =>
  t.rapport.app.request(path, {
    method: 'POST',
    headers: { authorization: await t.as(email), 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });

/** Before the fix a wedged decision never answered: fail in seconds instead of at the test timeout. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (wedged)`)), ms);
    }),
  ]);
}

const touch = (overrides: Record<string, unknown>) => ({
  contact: { email: DEMO.joe.email },
  channel: 'call',
  summary: 'Discussed the renewal',
  loggedBy: 'ana@rapport.example',
  ...overrides,
});

describe('touches', () => {
  it.each([
    ['summary', { summary: 'renewal\u0000terms' }],
    ['loggedBy', { loggedBy: 'ana\u0000@rapport.example' }],
    ['outcome', { outcome: 'quote\u0000' }],
    ['answers.main_goal', { answers: { main_goal: 'cut\u0000costs' } }],
    ['summary', { summary: 'an escape \u001b[31m sequence' }],
    ['sourceUrl', { sourceUrl: 'https://mail.example/m/1\u0000' }],
  ])('POST /api/touches: a control character in %s is a 400 naming it', async (field, overrides) => {
    const res = await t.api('/api/touches', { method: 'POST', json: touch(overrides) });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/control characters \(U\+00(00|1B)/);
  });

  it.each([
    ['summary', { summary: 'renewal\u0000terms' }],
    ['outcome', { outcome: 'quote\u0000' }],
    ['answers.main_goal', { answers: { main_goal: 'cut\u0000costs' } }],
  ])('POST /api/addin/touches: a control character in %s is a 400 naming it', async (field, overrides) => {
    const res = await addin('/api/addin/touches', 'ana.rep@contoso.example', {
      contactEmail: DEMO.joe.email,
      summary: 'Email "renewal"',
      ...overrides,
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).field).toBe(field);
  });

  it('keeps tabs and line breaks: people type them', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: touch({ summary: 'Agenda:\n\t- renewal\r\n\t- pricing' }),
    });
    expect(res.status).toBe(202);
  });
});

describe('a decision never wedges an alert', () => {
  it('a NUL in an Outlook decision reason is a 400; the next approver decides and the alert goes on', async () => {
    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    const bad = await within(
      20_000,
      'the NUL decision',
      addin(`/api/addin/alerts/${id}/decision`, APPROVER, { decision: 'reject', reason: 'no\u0000' }),
    );
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).field).toBe('reason');

    const next = await within(
      20_000,
      'the next decision',
      addin(`/api/addin/alerts/${id}/decision`, OFFICER, { decision: 'request_changes', reason: 'shorter please' }),
    );
    expect(next.status).toBe(200);
    await waitForStatus(t, id, 'changes_requested');
  });

  it('a decision the store cannot hold that reaches the Update is refused and taken back: decidable, cancellable', async () => {
    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    // As a face that missed the rule would: straight to the workflow.
    const update = t.rapport.temporal.workflow.getHandle(id).executeUpdate(decideUpdate, {
      args: [{ approver: APPROVER, decision: 'reject', reason: 'no\u0000', via: 'api' }],
    });
    const failure = await within(
      30_000,
      'the Update',
      update.then(() => null).catch((e: unknown) => e),
    );
    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (failure as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('VALIDATION');

    // Nothing was decided: the alert waits, with no accepted decision in its audit.
    expect((await getAlert(t, id)).status).toBe('awaiting_approval');
    const audit = (await (await t.api(`/api/alerts/${id}/audit`)).json()) as { audit: { outcome: string }[] };
    expect(audit.audit.filter((a) => a.outcome === 'accepted')).toEqual([]);

    // Another approver decides...
    const next = await within(
      20_000,
      'the next decision',
      t.api(`/api/alerts/${id}/decision`, {
        method: 'POST',
        json: { approver: OFFICER, decision: 'request_changes', reason: 'shorter please' },
      }),
    );
    expect(next.status).toBe(200);
    await waitForStatus(t, id, 'changes_requested');
    // ...and a cancel completes.
    const cancel = await t.api(`/api/alerts/${id}/cancel`, { method: 'POST', json: { by: REQUESTER } });
    expect(cancel.status).toBe(202);
    await waitForStatus(t, id, 'cancelled');
  });
});
