import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, htmlOf, linkPath, mailFor, submit, waitForStatus } from '../broadcast/support.js';

/**
 * The routes anyone can call (signed links, inbound webhooks): one spelling of a link's MAC,
 * forged links counted in the log instead of an audit row each, and rate limits per client
 * answering 429 with Retry-After.
 */
let t: TestRapport;
const logLines: string[] = [];

beforeAll(async () => {
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      LINK_RATE_LIMIT_PER_MINUTE: '30',
      WEBHOOK_RATE_LIMIT_PER_MINUTE: '5',
      SLACK_RATE_LIMIT_PER_MINUTE: '4',
      // Each test is its own client, named the way a reverse proxy would.
      RATE_LIMIT_CLIENT_HEADER: 'x-forwarded-for',
    },
    logLines,
  });
});
afterAll(async () => {
  await t?.stop();
});

const from = (client: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': `198.51.100.1, ${client}` },
});
const auditRows = async () =>
  Number((await t.db.query<{ n: number }>('select count(*)::int as n from approval_audit')).rows[0]!.n);

describe('signed links', () => {
  it('take their MAC in one spelling only: padded or with other unused bits it is refused', async () => {
    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    const mail = await eventually(async () => mailFor(t, APPROVER, id)[0]);
    const path = linkPath(await htmlOf(t, mail.id), /\/approvals\//);
    expect((await t.api(path, from('203.0.113.1'))).status).toBe(200);

    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = path.at(-1)!;
    for (const spelling of [`${path}=`, `${path.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(last) ^ 1]}`]) {
      expect((await t.api(spelling, from('203.0.113.1'))).status, spelling).toBe(403);
    }
  });

  it('forged ones are counted and sampled in the log, not written to the audit log one row each', async () => {
    type Line = { msg: string; forgedLinks?: number; forgedLinksTotal?: number; path?: string };
    const sampled = () =>
      logLines.map((l) => JSON.parse(l) as Line).filter((l) => l.msg.startsWith('forged links refused'));
    const rowsBefore = await auditRows();
    const linesBefore = sampled().length;
    for (let i = 0; i < 25; i += 1) {
      const res = await t.api(
        `/approvals/forgedlinkid${String(i).padStart(6, '0')}.AAAAAAAAAAAAAAAAAAAAAA`,
        from('203.0.113.2'),
      );
      expect(res.status).toBe(403);
    }
    expect((await t.api('/r/forgedresponse0001.AAAAAAAAAAAAAAAAAAAAAA?a=interested', from('203.0.113.2'))).status).toBe(
      404,
    );
    expect(await auditRows()).toBe(rowsBefore);

    // At most one line a minute, carrying the count since the one before; never the MAC.
    expect(sampled().length - linesBefore).toBeLessThanOrEqual(1);
    const lines = sampled();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatchObject({ forgedLinks: 1, forgedLinksTotal: 1 });
    for (const line of lines) expect(line.path).toMatch(/^\/(approvals|r|u)\/[\w-]+\.<redacted>$/);
    expect(logLines.join('\n')).not.toContain('AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('rate limits on public routes', () => {
  it('links: 429 with Retry-After past the limit, for that client only', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 40 && !limited; i += 1) {
      const res = await t.api('/u/forgedunsubscribe01.AAAAAAAAAAAAAAAAAAAAAA', from('203.0.113.3'));
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(30);
    expect(limited?.status).toBe(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another client, and the rest of the API, are not held back.
    expect((await t.api('/u/forgedunsubscribe01.AAAAAAAAAAAAAAAAAAAAAA', from('203.0.113.4'))).status).toBe(404);
    expect((await t.api('/api/alerts?limit=1', from('203.0.113.3'))).status).toBe(200);
  });

  it('inbound webhooks: 429 with Retry-After past the limit', async () => {
    const mail = 'From: a@b.example\r\nTo: someone@reply.rapport.example\r\nSubject: hi\r\n\r\nhello\r\n';
    const post = () =>
      t.api(
        '/api/inbound/email',
        from('203.0.113.5', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mail }),
      );
    for (let i = 0; i < 5; i += 1) expect((await post()).status).toBe(202);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('Slack events: 429 with Retry-After past the limit, for that client only', async () => {
    const post = () =>
      t.api(
        '/slack/events',
        from('203.0.113.6', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' } }),
        }),
      );
    const first = [];
    for (let i = 0; i < 4; i += 1) first.push((await post()).status);
    expect(first.filter((s) => s === 429)).toEqual([]);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another client is not held back.
    expect((await t.api('/slack/events', from('203.0.113.7', { method: 'POST', body: '{}' }))).status).not.toBe(429);
  });
});
