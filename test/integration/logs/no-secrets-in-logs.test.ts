import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import {
  BROADCAST_ENV,
  form,
  htmlOf,
  linkPath,
  mailFor,
  submit,
  waitForStatus,
  APPROVER,
} from '../broadcast/support.js';

/**
 * Logs carry no secrets and no customer data, at any level: a journey through touches, an alert
 * with its approval link, a customer's answer and reply, and an unexpected database error, with
 * every secret and every piece of customer text carrying a marker; then every line Rapport
 * wrote (at trace level) is searched for the markers.
 */
const SECRET = 'SECRETMARK-rapport-secret-0123456789abcdefghij';
const API_TOKEN = 'SECRETMARK-api-token-0123456789abcdef';
const CUSTOMER = 'CUSTMARK';
const logLines: string[] = [];
let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({
    env: { ...BROADCAST_ENV, RAPPORT_SECRET: SECRET, API_TOKENS: `${API_TOKEN},${TEST_API_TOKEN}` },
    logLines,
  });
});
afterAll(async () => {
  await t?.stop();
});

const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  t.api(path, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${API_TOKEN}` },
  });

describe('the logs of a whole journey', () => {
  const credentials: string[] = [SECRET, API_TOKEN];

  it('log a touch with customer text', async () => {
    const res = await api('/api/touches', {
      method: 'POST',
      json: {
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: `${CUSTOMER}-summary renewal terms`,
        outcome: `${CUSTOMER}-outcome`,
        answers: { main_goal: `${CUSTOMER}-answer` },
        loggedBy: 'ana@rapport.example',
      },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await eventually(async () => {
      const s = (await (await api(`/api/touches/${id}`)).json()) as { status: string };
      return s.status === 'synced' ? s : undefined;
    });
  });

  it('an alert approved from its signed link, answered and replied to by a customer', async () => {
    const id = await submit(t, { title: `${CUSTOMER}-title`, body: `${CUSTOMER}-body of the alert` });
    await waitForStatus(t, id, 'awaiting_approval');
    const mail = await eventually(async () => mailFor(t, APPROVER, id)[0]);
    const path = linkPath(await htmlOf(t, mail.id), /\/approvals\//);
    credentials.push(path.split('.').pop()!); // the link's MAC is a credential
    expect((await t.api(path)).status).toBe(200);
    expect((await t.api(path, form({ decision: 'approve', reason: `${CUSTOMER}-reason` }))).status).toBe(200);
    await waitForStatus(t, id, ['following_up', 'completed'], 120_000);

    const delivery = (await createDeliveryStore(t.db).get(id, DEMO.joe.id))!;
    const answer = signToken(SECRET, 'response', delivery.token);
    credentials.push(answer.split('.').pop()!);
    expect((await t.api(`/r/${answer}`, form({ a: 'interested' }))).status).toBe(200);
    const reply = signToken(SECRET, 'reply', delivery.token);
    credentials.push(reply.split('.').pop()!);
    const raw = [
      `From: ${DEMO.joe.email}`,
      `To: reply+${reply}@reply.rapport.example`,
      `Subject: Re: ${CUSTOMER}-subject`,
      'Message-ID: <logs-reply@acme-logistics.example>',
      '',
      `${CUSTOMER}-reply please call me`,
      '',
    ].join('\r\n');
    const res = await api('/api/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(202);
  });

  it('an unexpected database error: a 500, logged without the values of the statement', async () => {
    // A constraint the code does not know about: the insert fails as no input check foresaw.
    await t.db.query(`alter table touches add constraint logs_test_check check (summary not like '%refuse-me%')`);
    try {
      const res = await api('/api/touches', {
        method: 'POST',
        json: {
          contact: { email: DEMO.joe.email },
          channel: 'call',
          summary: `${CUSTOMER}-summary refuse-me`,
          loggedBy: 'ana@rapport.example',
        },
      });
      expect(res.status).toBe(500);
    } finally {
      await t.db.query('alter table touches drop constraint logs_test_check');
    }
    const unhandled = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'unhandled error');
    // Still useful to an operator: what failed, where.
    expect(unhandled?.err).toMatchObject({ type: 'DatabaseError', code: '23514', constraint: 'logs_test_check' });
  });

  it("an activity failing on a database error: the Temporal SDK's line goes through the redacting logger", async () => {
    // The touch's last step (marking it synced) fails on a constraint the code does not know, with
    // the customer's text in the database error's detail; the SDK logs each failed attempt.
    await t.db.query(
      `alter table touches add constraint logs_sdk_check check (status <> 'synced' or summary not like '%sdk-refuse%')`,
    );
    let id: string;
    try {
      const res = await api('/api/touches', {
        method: 'POST',
        json: {
          contact: { email: DEMO.joe.email },
          channel: 'call',
          summary: `${CUSTOMER}-summary sdk-refuse`,
          loggedBy: 'ana@rapport.example',
        },
      });
      expect(res.status).toBe(202);
      id = ((await res.json()) as { id: string }).id;
      const line = await eventually(async () =>
        logLines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.component === 'temporal' && /activity.*fail/i.test(String(l.msg))),
      );
      // Still useful to an operator: which activity, which workflow, which database rule.
      expect(line).toMatchObject({ workflowId: id, err: { code: '23514', constraint: 'logs_sdk_check' } });
    } finally {
      await t.db.query('alter table touches drop constraint logs_sdk_check');
    }
    await eventually(async () => {
      const s = (await (await api(`/api/touches/${id}`)).json()) as { status: string };
      return s.status === 'synced' ? s : undefined;
    });
  });

  it("no line holds a secret, a credential or a customer's words", () => {
    expect(logLines.length).toBeGreaterThan(10);
    for (const marker of [...credentials, CUSTOMER]) {
      const found = logLines.filter((line) => line.includes(marker));
      expect(found, `log lines with ${marker}`).toEqual([]);
    }
  });
});
