import { describe, expect, it, vi } from 'vitest';
import type { CrmContact } from '../../../../crm/port.js';
import { createContactSearch } from '../../../../services/contacts/contact-search.js';
import type { ContactSummary } from '../../../../store/crm-contacts.js';

const joeSummary: ContactSummary = {
  id: '101',
  email: 'joe.smith@acme-logistics.example',
  firstName: 'Joe',
  lastName: 'Smith',
  companyName: 'Acme Logistics',
  ownerId: '7',
  updatedAt: '2026-11-20T10:00:00.000Z',
};
const joeInCrm: CrmContact = {
  id: '101',
  email: joeSummary.email,
  firstName: 'Joe',
  lastName: 'Smith',
  ownerId: '7',
  companyId: '5001',
  properties: { company: 'Acme Logistics' },
  createdAt: '2020-01-01T00:00:00.000Z',
  updatedAt: joeSummary.updatedAt,
};

function setup() {
  let ready = false;
  let changes = 0;
  let clock = 0;
  const crm = { searchContacts: vi.fn(() => Promise.resolve([joeInCrm])) };
  const store = { search: vi.fn(() => Promise.resolve([joeSummary])), changes: () => changes };
  const search = createContactSearch({
    crm,
    readModel: { store, ready: () => ready },
    logger: { warn: vi.fn() },
    now: () => clock,
  });
  return {
    search,
    crm,
    store,
    fill: () => (ready = true),
    change: () => changes++,
    wait: (ms: number) => (clock += ms),
  };
}

describe('contact search', () => {
  it('asks the CRM until the read model is filled, then the read model; both answer the same shape', async () => {
    const s = setup();
    expect(await s.search('Joe Smith')).toEqual([joeSummary]);
    expect(s.crm.searchContacts).toHaveBeenCalledWith({ query: 'Joe Smith', limit: 20 });
    s.fill();
    expect(await s.search('Joe Smith')).toEqual([joeSummary]);
    expect(s.store.search).toHaveBeenCalledTimes(1);
    expect(s.crm.searchContacts).toHaveBeenCalledTimes(1);
  });

  it('the same search (however it is typed) shares one answer until the read model changes or it gets old', async () => {
    const s = setup();
    s.fill();
    await Promise.all([s.search('joe smith'), s.search('  Joe SMITH '), s.search('smith, joe')]);
    expect(s.store.search).toHaveBeenCalledTimes(1);
    s.change();
    await s.search('joe smith');
    expect(s.store.search).toHaveBeenCalledTimes(2);
    s.wait(31_000);
    await s.search('joe smith');
    expect(s.store.search).toHaveBeenCalledTimes(3);
    await s.search('joe smith', 5); // another limit is another answer
    expect(s.store.search).toHaveBeenCalledTimes(4);
  });

  it('a failing read model falls back to the CRM; failures are not kept; nothing to search -> nothing', async () => {
    const s = setup();
    s.fill();
    s.store.search.mockRejectedValueOnce(new Error('store down'));
    expect(await s.search('joe')).toEqual([joeSummary]);
    expect(s.crm.searchContacts).toHaveBeenCalledTimes(1);
    s.crm.searchContacts.mockRejectedValueOnce(new Error('CRM down'));
    s.store.search.mockRejectedValueOnce(new Error('store down'));
    await expect(s.search('maria')).rejects.toThrow('CRM down');
    expect(await s.search('maria')).toEqual([joeSummary]);
    expect(await s.search(' ,; ')).toEqual([]);
  });
});
