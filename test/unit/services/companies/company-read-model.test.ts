import { describe, expect, it, vi } from 'vitest';
import type { CrmCompany } from '../../../../crm/port.js';
import { createCompanyLookup } from '../../../../services/companies/company-read-model.js';
import type { CompanyRow } from '../../../../store/crm-companies.js';

const acme: CompanyRow = {
  id: '5001',
  name: 'Acme Logistics',
  domain: 'acme-logistics.example',
  properties: { name: 'Acme Logistics', domain: 'acme-logistics.example' },
  updatedAt: '2026-11-20T10:00:00.000Z',
};
const renamed: CrmCompany = { ...acme, name: 'Acme Freight', properties: { ...acme.properties, name: 'Acme Freight' } };

const TRUST_MS = 60_000;

function setup(rows: CompanyRow[] = [acme]) {
  let clock = Date.parse('2026-12-01T12:00:00.000Z');
  let watermark: string | null = new Date(clock - 10_000).toISOString();
  let storeFails = false;
  const table = new Map(rows.map((r) => [r.id, r]));
  const store = {
    get: vi.fn(async (id: string) => {
      if (storeFails) throw new Error('store down');
      return { company: table.get(id) ?? null, watermark };
    }),
    upsert: vi.fn(async (companies: CompanyRow[]) => {
      for (const c of companies) table.set(c.id, c);
      return { changed: companies.length };
    }),
    remove: vi.fn(async (id: string) => void table.delete(id)),
  };
  const crm = { getCompany: vi.fn(async (id: string) => (id === renamed.id ? renamed : null)) };
  const byId = createCompanyLookup({
    crm,
    readModel: { store, trustMs: TRUST_MS },
    cacheMs: 300_000,
    logger: { warn: vi.fn() },
    now: () => clock,
  });
  return {
    byId,
    crm,
    store,
    table,
    advance: (ms: number) => (clock += ms),
    setWatermark: (w: string | null) => (watermark = w),
    failStore: () => (storeFails = true),
  };
}

describe('company look-up', () => {
  it('answers from the read model while its watermark is recent: no CRM request', async () => {
    const s = setup();
    expect((await s.byId('5001'))?.name).toBe('Acme Logistics');
    expect((await s.byId('5001'))?.name).toBe('Acme Logistics');
    expect(s.crm.getCompany).not.toHaveBeenCalled();
  });

  it('reads a company the model does not hold yet from the CRM once, and writes it to the model', async () => {
    const s = setup([]);
    const [a, b] = await Promise.all([s.byId('5001'), s.byId('5001')]);
    expect([a?.name, b?.name]).toEqual(['Acme Freight', 'Acme Freight']);
    expect(s.crm.getCompany).toHaveBeenCalledTimes(1);
    expect(s.table.get('5001')?.name).toBe('Acme Freight');
    expect((await s.byId('5001'))?.name).toBe('Acme Freight');
    expect(s.crm.getCompany).toHaveBeenCalledTimes(1);
  });

  it('answers null for a company the CRM no longer has', async () => {
    const s = setup([]);
    expect(await s.byId('404')).toBeNull();
    expect(s.store.remove).toHaveBeenCalledWith('404');
  });

  it('asks the CRM when the model is stale (its sync stopped) or never filled, through a cache', async () => {
    const s = setup();
    s.advance(TRUST_MS + 1);
    expect((await s.byId('5001'))?.name).toBe('Acme Freight');
    expect((await s.byId('5001'))?.name).toBe('Acme Freight');
    expect(s.crm.getCompany).toHaveBeenCalledTimes(1);
    // A stale model is not written to by look-ups: the sync brings it up to date.
    expect(s.store.upsert).not.toHaveBeenCalled();

    const never = setup();
    never.setWatermark(null);
    expect((await never.byId('5001'))?.name).toBe('Acme Freight');
    expect(never.crm.getCompany).toHaveBeenCalledTimes(1);
  });

  it('asks the CRM when the store fails', async () => {
    const s = setup();
    s.failStore();
    expect((await s.byId('5001'))?.name).toBe('Acme Freight');
    expect(s.crm.getCompany).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed CRM read', async () => {
    const s = setup();
    s.setWatermark(null);
    s.crm.getCompany.mockRejectedValueOnce(new Error('CRM down'));
    await expect(s.byId('5001')).rejects.toThrow('CRM down');
    expect((await s.byId('5001'))?.name).toBe('Acme Freight');
  });
});
