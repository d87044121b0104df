import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../crm/hubspot/doctor.js';
import { formatDoctorTable, hasProblems } from '../../../../crm/hubspot/doctor-report.js';
import { portalSchema } from '../../../../crm/hubspot/portal-schema.js';
import { DEFAULT_PROPERTY_MAP, resolvePropertyMap } from '../../../../crm/hubspot/property-map.js';

const ok: Finding = { check: 'scope', subject: 'crm.lists.read', status: 'ok', detail: 'lists', fix: '' };
const missing: Finding = {
  check: 'property',
  subject: 'contacts.lifetime_value',
  status: 'missing',
  detail: 'read: revenue',
  fix: 'set HUBSPOT_PROPERTY_REVENUE',
};

describe('the doctor table', () => {
  it('prints one aligned line per check with its status and fix, and counts the problems', () => {
    const table = formatDoctorTable([ok, missing]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^check\s+subject\s+status\s+detail\s+fix$/);
    expect(lines[2]).toMatch(/^scope\s+crm\.lists\.read\s+OK\s+lists\s+-$/);
    expect(lines[3]).toMatch(
      /^property\s+contacts\.lifetime_value\s+MISSING\s+read: revenue\s+set HUBSPOT_PROPERTY_REVENUE$/,
    );
    // Columns line up: the status column starts at the same place on every row.
    expect(lines[2]!.indexOf('OK')).toBe(lines[3]!.indexOf('MISSING'));
    expect(lines.at(-1)).toBe('1 problem to fix (see the fix column).');
    expect(hasProblems([ok, missing])).toBe(true);
  });

  it('says all passed when nothing needs fixing', () => {
    expect(formatDoctorTable([ok]).split('\n').at(-1)).toBe('All checks passed.');
    expect(hasProblems([ok])).toBe(false);
    expect(hasProblems([{ ...ok, status: 'wrong' }])).toBe(true);
  });
});

describe("the portal's schema", () => {
  const written = [
    { objectType: 'notes' as const, name: 'rapport_idempotency_key', label: 'key' },
    { objectType: 'contacts' as const, name: 'rapport_preferred_channel', label: 'dup' },
  ];

  it("leaves HubSpot's own properties to the portal and creates rapport_* ones typed", () => {
    const specs = portalSchema(DEFAULT_PROPERTY_MAP, written);
    const by = (name: string) => specs.find((s) => s.name === name)!;
    expect(by('total_revenue')).toMatchObject({
      owner: 'portal',
      accepts: ['number'],
      env: 'HUBSPOT_PROPERTY_REVENUE',
    });
    expect(by('rapport_preferred_channel')).toMatchObject({
      owner: 'setup',
      type: 'enumeration',
      options: ['email', 'slack', 'sms'],
    });
    expect(by('rapport_idempotency_key')).toMatchObject({ objectType: 'notes', owner: 'setup', type: 'string' });
    // A property both read and written is listed once.
    expect(specs.filter((s) => s.name === 'rapport_preferred_channel')).toHaveLength(1);
  });

  it('creates a mapped fact under a rapport_* name with its reading type, never a portal-named one', () => {
    const specs = portalSchema(resolvePropertyMap({ revenue: 'rapport_revenue', slackUserId: 'slack_id' }), []);
    expect(specs.find((s) => s.name === 'rapport_revenue')).toMatchObject({ owner: 'setup', type: 'number' });
    expect(specs.find((s) => s.name === 'slack_id')).toMatchObject({ owner: 'portal' });
  });
});
