import { describe, expect, it } from 'vitest';
import { REQUIRED_SCOPES } from '../../../../crm/hubspot/required-scopes.js';
import { requiredScopes, SANDBOX_SCOPES } from '../../../../sandbox/hubspot/scopes.js';

describe("the sandbox's scope gating", () => {
  it.each([
    ['GET', '/crm/v3/objects/contacts/101', ['crm.objects.contacts.read']],
    ['POST', '/crm/v3/objects/contacts/search', ['crm.objects.contacts.read']],
    ['POST', '/crm/v3/objects/contacts/batch/read', ['crm.objects.contacts.read']],
    ['PATCH', '/crm/v3/objects/contacts/101', ['crm.objects.contacts.write']],
    ['POST', '/crm/v3/objects/notes/batch/create', ['crm.objects.contacts.write']],
    ['POST', '/crm/v3/objects/0-27/search', ['crm.objects.contacts.read']],
    ['GET', '/crm/v3/objects/companies/5', ['crm.objects.companies.read']],
    ['POST', '/crm/v4/associations/contacts/notes/batch/read', ['crm.objects.contacts.read']],
    ['GET', '/crm/v3/properties/notes', ['crm.schemas.contacts.read', 'crm.objects.contacts.read']],
    ['POST', '/crm/v3/properties/meetings', ['crm.schemas.contacts.write']],
    ['POST', '/crm/v3/properties/contacts/groups', ['crm.schemas.contacts.write']],
    ['GET', '/crm/v3/owners/', ['crm.objects.owners.read']],
    ['POST', '/crm/v3/lists/search', ['crm.lists.read']],
    ['PUT', '/crm/v3/lists/7/memberships/add-and-remove', ['crm.lists.write']],
    ['POST', '/oauth/v2/private-apps/get/access-token-info', null],
  ])('%s %s needs %j', (method, path, scopes) => {
    expect(requiredScopes(method, path)).toEqual(scopes);
  });

  it('an unrestricted sandbox token holds every scope Rapport asks a portal for', () => {
    const held = new Set<string>(SANDBOX_SCOPES);
    expect(REQUIRED_SCOPES.map((s) => s.scope).filter((s) => !held.has(s))).toEqual([]);
  });
});
