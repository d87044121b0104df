import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../domain/errors.js';
import type { TouchRow } from '../../../../store/touches.js';
import { fullApp } from './full-app.js';

const TOKEN = { authorization: 'Bearer unit-test-token' };
const ID = 'tch_0123456789abcdefghijklmnop';

const row: TouchRow = {
  id: ID,
  idempotencyKey: null,
  requestHash: 'h',
  contactEmail: 'joe@example.com',
  contactCrmId: '101',
  channel: 'call',
  summary: 'Called',
  outcome: null,
  occurredAt: '2026-11-24T15:04:00.000Z',
  loggedBy: 'ana@rapport.example',
  source: 'api',
  sourceUrl: null,
  answers: {},
  status: 'synced',
  engagementId: '9001',
  engagementKind: 'call',
  companyId: null,
  contactVerified: true,
  attempts: 1,
  lastError: null,
  failureReason: null,
  createdAt: '2026-11-24T15:04:01.000Z',
  syncedAt: '2026-11-24T15:04:02.000Z',
};

/** The app with the contract check on, over a touch store that answers `stored`. */
async function checked(stored: Partial<TouchRow>, submit?: () => Promise<never>) {
  const violations: string[] = [];
  const app = await fullApp({
    touches: { get: async () => ({ ...row, ...stored }) } as never,
    intake: { submit } as never,
    onContractViolation: (v) => violations.push(v),
  });
  return { app, violations };
}

describe('the contract check on answers', () => {
  it('lets an answer that keeps its contract through untouched', async () => {
    const { app, violations } = await checked({});
    const res = await app.request(`/api/touches/${ID}`, { headers: TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ID, engagement: { id: '9001', kind: 'call' } });
    expect((await app.request('/api/touches', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
    expect(violations).toEqual([]);
  });

  it('turns an answer whose body breaks its schema into a 500 saying where, and reports it', async () => {
    const { app, violations } = await checked({ engagementKind: 'fax', occurredAt: 'yesterday' });
    const res = await app.request(`/api/touches/${ID}`, { headers: TOKEN });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).toContain('GET /api/touches/{id} answered outside its contract');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/engagement\.kind/);
    expect(violations[0]).toMatch(/occurredAt/);
  });

  it('catches a status the route does not declare', async () => {
    const gone = async () => {
      throw new DomainError('GONE', 'too late');
    };
    const { app, violations } = await checked({}, gone);
    const res = await app.request('/api/touches', {
      method: 'POST',
      headers: { ...TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ contact: { email: 'joe@example.com' }, channel: 'call', summary: 'x', loggedBy: 'ana' }),
    });
    expect(res.status).toBe(500);
    expect(violations).toEqual([
      expect.stringContaining('POST /api/touches answered outside its contract: status 410 is not declared'),
    ]);
  });

  it('answers a body of another media type as an empty one: 400 naming the first missing field', async () => {
    const { app, violations } = await checked({});
    const res = await app.request('/api/touches', {
      method: 'POST',
      headers: { ...TOKEN, 'content-type': 'text/plain' },
      body: 'contact=joe',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'contact' } });
    expect(violations).toEqual([]);
  });
});
