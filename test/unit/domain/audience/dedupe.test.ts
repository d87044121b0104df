import { describe, expect, it } from 'vitest';
import type { CrmContact } from '../../../../crm/port.js';
import {
  compareCrmIds,
  dedupeAudience,
  listMembershipsSchema,
  normalizeEmail,
  type ListMembership,
} from '../../../../domain/audience/index.js';
import { contact, on } from './fixtures.js';

describe('dedupeAudience', () => {
  it('folds one person on four lists, under three CRM records with differently-cased emails, into one recipient', () => {
    const a = contact('120', 'Joe.Smith@Example.com');
    const b = contact('9', '  joe.smith@example.COM ');
    const c = contact('44', 'JOE.SMITH@EXAMPLE.COM');
    const result = dedupeAudience([on('L1', a), on('L2', b), on('L3', c), on('L4', a)]);

    expect(result.recipients).toHaveLength(1);
    const [r] = result.recipients;
    // Lowest id numerically: '9' beats '44' and '120' even though '120' < '9' as text.
    expect(r?.contactId).toBe('9');
    expect(r?.email).toBe('joe.smith@example.COM');
    expect(r?.normalizedEmail).toBe('joe.smith@example.com');
    expect(r?.listIds).toEqual(['L1', 'L2', 'L3', 'L4']);
    expect(r?.mergedContacts.map((m) => m.id)).toEqual(['120', '44']);
    expect(result.duplicates).toEqual([
      { reason: 'DUPLICATE_EMAIL', contactId: '120', listId: 'L1', email: 'Joe.Smith@Example.com', duplicateOf: '9' },
      { reason: 'DUPLICATE_EMAIL', contactId: '44', listId: 'L3', email: 'JOE.SMITH@EXAMPLE.COM', duplicateOf: '9' },
      { reason: 'DUPLICATE_EMAIL', contactId: '120', listId: 'L4', email: 'Joe.Smith@Example.com', duplicateOf: '9' },
    ]);
    expect(result.totalMemberships).toBe(result.recipients.length + result.duplicates.length);
  });

  it('marks the same CRM record on several lists as DUPLICATE_CONTACT', () => {
    const joe = contact('7', null);
    const result = dedupeAudience([on('A', joe), on('B', joe), on('A', joe)]);
    expect(result.recipients).toHaveLength(1);
    expect(result.recipients[0]?.listIds).toEqual(['A', 'B']);
    expect(result.duplicates.map((d) => [d.reason, d.listId, d.duplicateOf])).toEqual([
      ['DUPLICATE_CONTACT', 'B', '7'],
      ['DUPLICATE_CONTACT', 'A', '7'],
    ]);
    expect(result.lists).toEqual([
      { listId: 'A', memberships: 2 },
      { listId: 'B', memberships: 1 },
    ]);
  });

  it('does not over-normalize: Gmail dots and plus tags stay distinct, contacts without email never merge', () => {
    const result = dedupeAudience([
      on('L', contact('1', 'john.doe@gmail.com')),
      on('L', contact('2', 'johndoe@gmail.com')),
      on('L', contact('3', 'john.doe+news@gmail.com')),
      on('L', contact('4', null)),
      on('L', contact('5', '   ')),
    ]);
    expect(result.recipients.map((r) => r.contactId)).toEqual(['1', '2', '3', '4', '5']);
    expect(result.duplicates).toEqual([]);
    expect(normalizeEmail('  A.B@Gmail.com ')).toBe('a.b@gmail.com');
  });

  it('picks the same survivor whatever order the lists arrive in', () => {
    const m = [
      on('L1', contact('300', 'x@y.io')),
      on('L2', contact('20', 'X@y.io')),
      on('L3', contact('1000', 'x@Y.io')),
    ];
    const forward = dedupeAudience(m);
    const backward = dedupeAudience([...m].reverse());
    expect(forward.recipients[0]?.contactId).toBe('20');
    expect(backward.recipients[0]?.contactId).toBe('20');
    expect(compareCrmIds('9', '10')).toBeLessThan(0);
    expect(compareCrmIds('010', '9')).toBeGreaterThan(0);
    expect(compareCrmIds('abc', 'abd')).toBeLessThan(0);
  });

  it('accepts CRM contacts through its schema and rejects memberships without a list', () => {
    const parsed = listMembershipsSchema.parse([{ listId: 'L', contact: { id: '1', email: 'a@b.co', extra: 1 } }]);
    expect(parsed[0]?.contact.properties).toEqual({});
    expect(parsed[0]?.contact).toHaveProperty('extra', 1);
    expect(listMembershipsSchema.safeParse([{ listId: '', contact: { id: '1', email: null } }]).success).toBe(false);
  });

  it('takes CRM port contacts as they are and hands the same records back', () => {
    const crm: CrmContact = {
      id: '5',
      email: 'ann@example.com',
      firstName: 'Ann',
      lastName: null,
      ownerId: '77',
      companyId: null,
      properties: {},
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const { recipients } = dedupeAudience([{ listId: 'L', contact: crm }]);
    expect(recipients[0]?.contact.firstName).toBe('Ann');
    expect(recipients[0]?.contact).toBe(crm);
  });

  it('dedupes 100,000 memberships correctly', () => {
    // 40,000 people; each on 2 lists as one record, and every 4th also has a second CRM record
    // whose email differs only in case, on a third list: 80,000 + 10,000 + 10,000 memberships.
    const people = 40_000;
    const memberships: ListMembership[] = [];
    for (let i = 0; i < people; i++) {
      const c = contact(String(i + 1), `person${i}@example.com`);
      memberships.push(on(`list-${i % 5}`, c), on(`list-${(i + 1) % 5}`, c));
      if (i % 4 === 0) {
        const twin = contact(String(1_000_000 + i), ` PERSON${i}@Example.com `);
        memberships.push(on('list-twins', twin), on('list-twins-2', twin));
      }
    }
    expect(memberships).toHaveLength(100_000);

    const result = dedupeAudience(memberships);
    expect(result.recipients).toHaveLength(people);
    expect(result.duplicates).toHaveLength(60_000);
    expect(result.duplicates.filter((d) => d.reason === 'DUPLICATE_EMAIL')).toHaveLength(20_000);
    expect(result.duplicates.filter((d) => d.reason === 'DUPLICATE_CONTACT')).toHaveLength(40_000);
    expect(new Set(result.recipients.map((r) => r.contactId)).size).toBe(people);
    expect(result.recipients.every((r) => Number(r.contactId) <= people)).toBe(true);
    expect(result.recipients[0]?.listIds).toEqual(['list-0', 'list-1', 'list-twins', 'list-twins-2']);
    expect(result.lists.reduce((n, l) => n + l.memberships, 0)).toBe(100_000);
  });
});
