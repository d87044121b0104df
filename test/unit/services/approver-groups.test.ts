import { describe, expect, it } from 'vitest';
import { createApproverGroups } from '../../../services/approver-groups.js';
import { memoryBindings } from '../../../testkit/memory-bindings.js';

const config = { alerts: ['ana@bank.example', 'bob@bank.example'], risk: ['rita@bank.example'] };
const ana = { id: 'psn_ana', email: 'ana@bank.example' };

describe('approver groups judged by person id (services/approver-groups.ts)', () => {
  it('binds a member email to the first person who holds it, and keeps it bound to them', async () => {
    const groups = createApproverGroups(config, memoryBindings());
    expect(await groups.entryOf('alerts', ana)).toBe('ana@bank.example');
    // Renamed in the identity provider (same person id): still the member the email named.
    expect(await groups.entryOf('alerts', { id: 'psn_ana', email: 'ana.smith@bank.example' })).toBe('ana@bank.example');
    // A newcomer who inherited the address is not.
    expect(await groups.entryOf('alerts', { id: 'psn_newcomer', email: 'ana@bank.example' })).toBeNull();
  });

  it('is not fooled by a group name from Object.prototype or an unknown group', async () => {
    const groups = createApproverGroups(config, memoryBindings());
    expect(groups.members('constructor')).toBeUndefined();
    expect(await groups.entryOf('constructor', ana)).toBeNull();
    expect(await groups.entryOf('nope', ana)).toBeNull();
  });

  it("lists a person's groups by their id; a stranger has none", async () => {
    const bindings = memoryBindings();
    await bindings.bind('rita@bank.example', 'psn_ana');
    const groups = createApproverGroups(config, bindings);
    expect(await groups.groupsOf(ana)).toEqual(['alerts', 'risk']);
    expect(await groups.groupsOf({ id: 'psn_eve', email: 'eve@bank.example' })).toEqual([]);
  });

  it('sees a binding another process made (bindings are read from the store, cached once bound)', async () => {
    const bindings = memoryBindings();
    const groups = createApproverGroups(config, bindings);
    expect(await groups.entryOf('risk', { id: 'psn_x', email: 'x@bank.example' })).toBeNull();
    await bindings.bind('rita@bank.example', 'psn_rita');
    expect(await groups.entryOf('risk', { id: 'psn_rita', email: 'rita.new@bank.example' })).toBe('rita@bank.example');
  });
});
