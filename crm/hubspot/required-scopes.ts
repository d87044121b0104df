/**
 * The private-app scopes Rapport needs, and why. HubSpot gates the engagement objects (notes,
 * calls, emails, meetings, tasks) by the contacts scopes, and property creation by the schema
 * write scope of the object.
 */
export const REQUIRED_SCOPES: { scope: string; purpose: string }[] = [
  {
    scope: 'crm.objects.contacts.read',
    purpose: 'read and search contacts, and their notes, calls, emails, meetings and tasks (the timeline)',
  },
  {
    scope: 'crm.objects.contacts.write',
    purpose: 'log touches and alerts as engagements, create follow-up tasks, write answers and unsubscribes',
  },
  {
    scope: 'crm.objects.companies.read',
    purpose: "a contact's company in the customer context (the company read model)",
  },
  { scope: 'crm.objects.owners.read', purpose: 'owners: who works each account' },
  { scope: 'crm.lists.read', purpose: 'alert audiences from HubSpot lists (segments)' },
  { scope: 'crm.schemas.contacts.read', purpose: 'read property definitions (doctor checks the mapping)' },
  {
    scope: 'crm.schemas.contacts.write',
    purpose: "create Rapport's property group and properties (setup, and the check at start)",
  },
];
