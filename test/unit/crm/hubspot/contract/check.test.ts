import { describe, expect, it } from 'vitest';
import { checkExchange, checkFields, matchOperation } from '../../../../../crm/hubspot/contract/check.js';
import { HUBSPOT_OPERATIONS } from '../../../../../crm/hubspot/contract/facts.js';

const record = {
  id: '101',
  properties: { email: 'a@b.example', phone: null },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
};
const batch = (extra: Record<string, unknown> = {}) => ({
  status: 'COMPLETE',
  results: [record],
  startedAt: '2026-01-01T00:00:00Z',
  completedAt: '2026-01-01T00:00:01Z',
  ...extra,
});
const readBody = { inputs: [{ id: '101' }], properties: ['email'], propertiesWithHistory: [] };

describe('matchOperation', () => {
  it('tells operations on the same path apart by method and prefers literal segments', () => {
    expect(matchOperation('GET', '/crm/v3/objects/contacts/101?properties=email')?.id).toBe('objects.getById');
    expect(matchOperation('PATCH', '/crm/v3/objects/tasks/7')?.id).toBe('objects.update');
    expect(matchOperation('DELETE', '/crm/v3/objects/notes/7')?.id).toBe('objects.archive');
    expect(matchOperation('POST', '/crm/v3/objects/notes/search')?.id).toBe('objects.search');
    expect(matchOperation('POST', '/crm/v3/objects/notes/batch/create')?.id).toBe('objects.batchCreate');
    expect(matchOperation('GET', '/crm/v3/owners/')?.id).toBe('owners.list');
    expect(matchOperation('POST', '/communication-preferences/v4/statuses/batch/read?channel=EMAIL')?.id).toBe(
      'preferences.v4.batchRead',
    );
    expect(matchOperation('POST', '/communication-preferences/v4/statuses/a%40b.example')?.id).toBe(
      'preferences.v4.update',
    );
  });

  it('knows no operation the adapter does not make', () => {
    expect(matchOperation('POST', '/crm/v3/objects/contacts/batch/archive')).toBeUndefined();
    expect(matchOperation('PUT', '/crm/v3/objects/contacts/101')).toBeUndefined();
  });

  it('gives every operation a unique id, a reference page and a success status', () => {
    expect(new Set(HUBSPOT_OPERATIONS.map((o) => o.id)).size).toBe(HUBSPOT_OPERATIONS.length);
    for (const op of HUBSPOT_OPERATIONS) {
      expect(op.source).toMatch(/^https:\/\/developers\.hubspot\.com\//);
      expect(op.success.length).toBeGreaterThan(0);
    }
  });
});

describe('checkFields', () => {
  it('names a missing field, a wrong type, and each bad element of an array or map', () => {
    expect(
      checkFields({ results: [{ id: 5 }, { id: '6' }], m: { a: 'x', b: 3 } }, [
        { path: 'results[].id', type: 'digits' },
        { path: 'm{}', type: 'stringOrNull' },
        { path: 'total', type: 'integer' },
      ]),
    ).toEqual(['results[0].id: expected digits, got 5', 'm.b: expected stringOrNull, got 3', 'total: missing']);
  });

  it('lets optional fields and optional containers be absent, but not the fields of their elements', () => {
    const fields = [
      { path: 'paging.next.after', type: 'string' as const, optional: true as const },
      { path: 'errors?[].category', type: 'string' as const },
    ];
    expect(checkFields({}, fields)).toEqual([]);
    expect(checkFields({ errors: [{ category: 'OBJECT_NOT_FOUND' }, {}] }, fields)).toEqual([
      'errors[1].category: missing',
    ]);
    expect(checkFields({ paging: { next: { after: 2 } } }, fields)).toEqual([
      'paging.next.after: expected string, got 2',
    ]);
  });

  it('reads dates as dates and ids as digits', () => {
    expect(
      checkFields({ at: 'yesterday', id: '12a' }, [
        { path: 'at', type: 'datetime' },
        { path: 'id', type: 'idLike' },
      ]),
    ).toHaveLength(2);
    expect(
      checkFields({ at: '2026-12-05T10:00:00.000Z', id: 12 }, [
        { path: 'at', type: 'datetime' },
        { path: 'id', type: 'idLike' },
      ]),
    ).toEqual([]);
  });
});

describe('checkExchange', () => {
  it('passes an answer that keeps to the table', () => {
    const verdict = checkExchange({
      method: 'POST',
      url: '/crm/v3/objects/contacts/batch/read',
      requestBody: readBody,
      status: 200,
      responseBody: batch(),
    });
    expect(verdict.operation?.id).toBe('objects.batchRead');
    expect(verdict.problems).toEqual([]);
  });

  it('flags a 207 error entry without its category', () => {
    const verdict = checkExchange({
      method: 'POST',
      url: '/crm/v3/objects/contacts/batch/read',
      requestBody: readBody,
      status: 207,
      responseBody: batch({ numErrors: 1, errors: [{ status: 'error', message: 'gone', context: { ids: ['9'] } }] }),
    });
    expect(verdict.problems).toEqual([expect.stringContaining('errors[0].category: missing')]);
  });

  it('flags a request missing what HubSpot requires', () => {
    const verdict = checkExchange({
      method: 'POST',
      url: '/communication-preferences/v4/statuses/batch/read',
      requestBody: {},
      status: 200,
      responseBody: batch({ results: [] }),
    });
    expect(verdict.problems).toEqual([
      expect.stringContaining('request inputs: missing'),
      expect.stringContaining('query parameter channel missing'),
    ]);
  });

  it('flags an undocumented status, an error without the envelope and a category HubSpot does not give', () => {
    const url = '/crm/v3/owners/7';
    expect(checkExchange({ method: 'GET', url, status: 418, responseBody: {} }).problems).toEqual([
      expect.stringContaining('HTTP 418 is not a documented answer'),
    ]);
    expect(checkExchange({ method: 'GET', url, status: 404, responseBody: { message: 'nope' } }).problems).toEqual([
      expect.stringContaining('error status: missing'),
      expect.stringContaining('error correlationId: missing'),
      expect.stringContaining('error category: missing'),
    ]);
    const envelope = { status: 'error', message: 'm', correlationId: 'c' };
    expect(
      checkExchange({ method: 'GET', url, status: 404, responseBody: { ...envelope, category: 'VALIDATION_ERROR' } })
        .problems,
    ).toEqual([expect.stringContaining('category VALIDATION_ERROR, documented OBJECT_NOT_FOUND')]);
    expect(
      checkExchange({ method: 'GET', url, status: 429, responseBody: { ...envelope, category: 'RATE_LIMITS' } })
        .problems,
    ).toEqual([expect.stringContaining('error errorType: missing')]);
  });

  it('flags traffic the table does not know', () => {
    expect(checkExchange({ method: 'GET', url: '/crm/v3/imports', status: 200 }).problems).toEqual([
      'GET /crm/v3/imports: not in the fact table',
    ]);
  });
});
