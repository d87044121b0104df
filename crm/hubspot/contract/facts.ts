/**
 * What HubSpot promises for every call the adapter makes, in our own words, read from HubSpot's
 * API reference (each operation names its page in `source`). The contract suite
 * (test/contract/hubspot/) records every request the adapter sends and checks each answer against
 * the operation here; docs/HUBSPOT-CONTRACT.md is rendered from this table (render.ts).
 *
 * Field paths: `a.b` is a property, `a[]` each element of an array, `a{}` each value of a map;
 * `a?[]` an array that may be absent but whose elements, when there, need what follows.
 * Only fields HubSpot marks required are listed, plus `optional` ones whose type we rely on when present.
 */

/** JSON types as HubSpot documents them; `digits` is a numeric id sent as a string, `idLike` either spelling. */
export type FieldType =
  'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'datetime' | 'digits' | 'idLike' | 'stringOrNull';

export interface FieldFact {
  path: string;
  type: FieldType;
  optional?: true;
}

export interface ErrorFact {
  status: number;
  /** HubSpot's `category` in the error envelope (429s carry `errorType: RATE_LIMIT` beside it). */
  category: string;
  when: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface OperationFact {
  id: string;
  method: HttpMethod;
  /** HubSpot's path with `{placeholders}`; matched against requests without the query string. */
  path: string;
  /** Where Rapport makes the call. */
  usedBy: string;
  /** Private-app scopes, any one of which grants the call. */
  scopes: string[];
  /** Query parameters HubSpot requires. */
  query?: string[];
  /** Request body fields HubSpot requires. */
  request: FieldFact[];
  /** Statuses of a successful answer (207: part of a batch failed). */
  success: number[];
  /** Required fields of a successful answer (none for 204). */
  response: FieldFact[];
  errors: ErrorFact[];
  /** HubSpot's reference page. */
  source: string;
  note?: string;
}

/** Every HubSpot error answer: `status: 'error'`, a message, a correlation id and a category. */
export const ERROR_ENVELOPE: FieldFact[] = [
  { path: 'status', type: 'string' },
  { path: 'message', type: 'string' },
  { path: 'correlationId', type: 'string' },
  { path: 'category', type: 'string' },
];

/** A 429's extra fields: which limit was hit. */
export const RATE_LIMIT_ENVELOPE: FieldFact[] = [
  { path: 'errorType', type: 'string' },
  { path: 'policyName', type: 'string', optional: true },
];

/** Answers every call can get, whatever the operation. */
export const COMMON_ERRORS: ErrorFact[] = [
  { status: 401, category: 'INVALID_AUTHENTICATION', when: 'token missing, expired or revoked' },
  { status: 403, category: 'MISSING_SCOPES', when: 'the private app lacks every scope the call accepts' },
  { status: 429, category: 'RATE_LIMITS', when: 'over the ten-second, secondly (search) or daily budget' },
];

const REFERENCE = 'https://developers.hubspot.com/docs/api-reference/legacy';

/** A v3 CRM record. */
const RECORD = (prefix: string): FieldFact[] => [
  { path: `${prefix}id`, type: 'digits' },
  { path: `${prefix}properties`, type: 'object' },
  { path: `${prefix}properties{}`, type: 'stringOrNull' },
  { path: `${prefix}createdAt`, type: 'datetime' },
  { path: `${prefix}updatedAt`, type: 'datetime' },
  { path: `${prefix}archived`, type: 'boolean', optional: true },
];

/** The envelope of HubSpot's batch answers. */
const BATCH: FieldFact[] = [
  { path: 'status', type: 'string' },
  { path: 'results', type: 'array' },
  { path: 'startedAt', type: 'datetime' },
  { path: 'completedAt', type: 'datetime' },
  { path: 'numErrors', type: 'integer', optional: true },
  { path: 'errors', type: 'array', optional: true },
  { path: 'errors?[].status', type: 'string' },
  { path: 'errors?[].category', type: 'string' },
  { path: 'errors?[].message', type: 'string' },
  { path: 'errors?[].context', type: 'object' },
];

const CURSOR: FieldFact[] = [{ path: 'paging.next.after', type: 'string', optional: true }];

const CONTACT_SCOPES = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];
const NOT_FOUND: ErrorFact = { status: 404, category: 'OBJECT_NOT_FOUND', when: 'no record with that id' };
const INVALID_PROPERTY: ErrorFact = {
  status: 400,
  category: 'VALIDATION_ERROR',
  when: 'an unknown property, a bad value, a missing required property',
};

/** v3 subscribe and unsubscribe: one address, one subscription type, the type's new status back. */
function v3StatusChange(
  action: 'subscribe' | 'unsubscribe',
  fact: Pick<OperationFact, 'usedBy' | 'errors' | 'note'>,
): OperationFact {
  return {
    id: `preferences.v3.${action}`,
    method: 'POST',
    path: `/communication-preferences/v3/${action}`,
    scopes: ['communication_preferences.write'],
    request: [
      { path: 'emailAddress', type: 'string' },
      { path: 'subscriptionId', type: 'string' },
    ],
    success: [200],
    response: [
      { path: 'id', type: 'digits' },
      { path: 'name', type: 'string' },
      { path: 'status', type: 'string' },
      { path: 'sourceOfStatus', type: 'string' },
    ],
    source: `${REFERENCE}/communication-preferences/v3/${action}`,
    ...fact,
  };
}

export const HUBSPOT_OPERATIONS: OperationFact[] = [
  {
    id: 'objects.getById',
    method: 'GET',
    path: '/crm/v3/objects/{objectType}/{objectId}',
    usedBy: 'contacts.ts getContact, findContactByEmail (idProperty=email); companies.ts getCompany',
    scopes: ['crm.objects.contacts.read', 'crm.objects.companies.read'],
    request: [],
    success: [200],
    response: [
      ...RECORD(''),
      { path: 'associations{}.results[].id', type: 'digits', optional: true },
      { path: 'associations{}.results[].type', type: 'string', optional: true },
    ],
    errors: [NOT_FOUND],
    source: `${REFERENCE}/crm/objects/contacts/basic/get-crm-v3-objects-contacts-contactId`,
    note: 'Unknown names in properties= are ignored, not refused.',
  },
  {
    id: 'objects.list',
    method: 'GET',
    path: '/crm/v3/objects/{objectType}',
    usedBy: 'contacts.ts listContacts, companies.ts listCompanies (read model syncs)',
    scopes: [...CONTACT_SCOPES, 'crm.objects.companies.read'],
    request: [],
    success: [200],
    response: [{ path: 'results', type: 'array' }, ...RECORD('results[].'), ...CURSOR],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'limit over 100 or a bad cursor' }],
    source: `${REFERENCE}/crm/objects/contacts/basic/get-crm-v3-objects-contacts`,
  },
  {
    id: 'objects.batchRead',
    method: 'POST',
    path: '/crm/v3/objects/{objectType}/batch/read',
    usedBy: 'contacts.ts getContacts, findContactsByEmail; batched-reads.ts records (engagements, tasks)',
    scopes: CONTACT_SCOPES,
    request: [
      { path: 'inputs', type: 'array' },
      { path: 'inputs[].id', type: 'string' },
      { path: 'properties', type: 'array' },
      { path: 'propertiesWithHistory', type: 'array' },
    ],
    success: [200, 207],
    response: [...BATCH, ...RECORD('results[].')],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'more than 100 inputs' }],
    source: `${REFERENCE}/crm/objects/objects/batch/read-objects`,
    note: 'Unknown ids are not a failure: 207 with OBJECT_NOT_FOUND entries in errors.',
  },
  {
    id: 'objects.batchCreate',
    method: 'POST',
    path: '/crm/v3/objects/{objectType}/batch/create',
    usedBy: 'engagements.ts createIdempotent (notes, calls, emails, meetings, tasks)',
    scopes: ['crm.objects.contacts.write'],
    request: [
      { path: 'inputs', type: 'array' },
      { path: 'inputs[].properties', type: 'object' },
      { path: 'inputs[].associations', type: 'array' },
      { path: 'inputs[].objectWriteTraceId', type: 'string', optional: true },
    ],
    success: [201, 207],
    response: [
      ...BATCH,
      ...RECORD('results[].'),
      { path: 'results[].objectWriteTraceId', type: 'string', optional: true },
    ],
    errors: [INVALID_PROPERTY, { status: 409, category: 'CONFLICT', when: 'a unique property value already taken' }],
    source: `${REFERENCE}/crm/objects/objects/batch/create-objects`,
    note: 'Results need not follow input order. 207 only when every input carries objectWriteTraceId; the failed ones are named by it in errors[].context.',
  },
  {
    id: 'objects.search',
    method: 'POST',
    path: '/crm/v3/objects/{objectType}/search',
    usedBy:
      'contacts.ts searchContacts, listContactsModifiedSince; companies.ts listCompaniesModifiedSince; engagements.ts key look-ups; doctor.ts search lag',
    scopes: [...CONTACT_SCOPES, 'crm.objects.companies.read'],
    request: [],
    success: [200],
    response: [
      { path: 'total', type: 'integer' },
      { path: 'results', type: 'array' },
      ...RECORD('results[].'),
      ...CURSOR,
    ],
    errors: [
      {
        status: 400,
        category: 'VALIDATION_ERROR',
        when: 'limit over 200, past 10,000 results, over 5 groups / 10 filters a group / 25 filters',
      },
    ],
    source: 'https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm',
    note: 'Own limit: 5 requests a second per token; the index trails writes by seconds. IN values must be lower case.',
  },
  {
    id: 'objects.update',
    method: 'PATCH',
    path: '/crm/v3/objects/{objectType}/{objectId}',
    usedBy: 'contacts.ts updateContactProperties (answers); tasks.ts completeTask',
    scopes: CONTACT_SCOPES,
    request: [{ path: 'properties', type: 'object' }],
    success: [200],
    response: RECORD(''),
    errors: [INVALID_PROPERTY, NOT_FOUND],
    source: `${REFERENCE}/crm/objects/contacts/basic/patch-crm-v3-objects-contacts-contactId`,
  },
  {
    id: 'objects.batchUpdate',
    method: 'POST',
    path: '/crm/v3/objects/{objectType}/batch/update',
    usedBy: 'contacts.ts updateContactsProperties',
    scopes: ['crm.objects.contacts.write'],
    request: [
      { path: 'inputs', type: 'array' },
      { path: 'inputs[].id', type: 'string' },
      { path: 'inputs[].properties', type: 'object' },
    ],
    success: [200, 207],
    response: [...BATCH, ...RECORD('results[].')],
    errors: [{ ...INVALID_PROPERTY, when: 'an invalid value, or the same id twice in one batch' }],
    source: `${REFERENCE}/crm/objects/objects/batch/update-objects`,
  },
  {
    id: 'objects.create',
    method: 'POST',
    path: '/crm/v3/objects/{objectType}',
    usedBy: 'doctor.ts search-lag probe (one note, archived at once)',
    scopes: ['crm.objects.contacts.write'],
    request: [{ path: 'properties', type: 'object' }],
    success: [201],
    response: RECORD(''),
    errors: [INVALID_PROPERTY],
    source: `${REFERENCE}/crm/objects/objects/basic/create-object`,
  },
  {
    id: 'objects.archive',
    method: 'DELETE',
    path: '/crm/v3/objects/{objectType}/{objectId}',
    usedBy: 'doctor.ts search-lag probe clean-up',
    scopes: ['crm.objects.contacts.write'],
    request: [],
    success: [204],
    response: [],
    errors: [],
    source: `${REFERENCE}/crm/objects/objects/basic/archive-object`,
    note: 'Archiving an unknown or archived id is still 204.',
  },
  {
    id: 'associations.batchRead',
    method: 'POST',
    path: '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read',
    usedBy: "batched-reads.ts associatedIds (a contact's engagements and tasks)",
    scopes: CONTACT_SCOPES,
    request: [
      { path: 'inputs', type: 'array' },
      { path: 'inputs[].id', type: 'string' },
    ],
    success: [200, 207],
    response: [
      ...BATCH,
      { path: 'results[].from.id', type: 'digits' },
      { path: 'results[].to', type: 'array' },
      { path: 'results[].to[].toObjectId', type: 'idLike' },
      { path: 'results[].to[].associationTypes', type: 'array' },
      { path: 'results[].to[].associationTypes[].typeId', type: 'integer' },
      { path: 'results[].to[].associationTypes[].category', type: 'string' },
      { path: 'results[].to[].associationTypes[].label', type: 'stringOrNull', optional: true },
      { path: 'results[].paging.next.after', type: 'string', optional: true },
    ],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'more than 1,000 inputs' }],
    source: `${REFERENCE}/crm/associations/associate-records/batch/get-associations`,
    note: 'A record without associations of that type is an error entry (207), not an empty result. Paging only when there is more.',
  },
  {
    id: 'engagements.v1.associated',
    method: 'GET',
    path: '/engagements/v1/engagements/associated/{objectType}/{objectId}/paged',
    query: ['limit'],
    usedBy: "activity-v1.ts forContact (a contact's notes, calls, emails, meetings and tasks in one request)",
    scopes: CONTACT_SCOPES,
    request: [],
    success: [200],
    response: [
      { path: 'results', type: 'array' },
      { path: 'hasMore', type: 'boolean' },
      { path: 'offset', type: 'integer' },
      { path: 'results[].engagement.id', type: 'integer' },
      { path: 'results[].engagement.type', type: 'string' },
      { path: 'results[].engagement.timestamp', type: 'integer' },
      { path: 'results[].associations', type: 'object' },
      { path: 'results[].metadata', type: 'object' },
    ],
    errors: [{ status: 404, category: 'OBJECT_NOT_FOUND', when: 'no record with that id' }],
    source: `${REFERENCE}/crm/activities/engagements/get-engagements-v1-engagements-associated-objecttype-objectid-paged`,
    note: 'Legacy API: every kind in one list, `limit` at most 100, `offset` names where the next page starts. Email bodies need sales-email-read, as in v3.',
  },
  {
    id: 'owners.list',
    method: 'GET',
    path: '/crm/v3/owners',
    usedBy: 'directory.ts listOwners, ping',
    scopes: ['crm.objects.owners.read'],
    request: [],
    success: [200],
    response: [
      { path: 'results', type: 'array' },
      { path: 'results[].id', type: 'digits' },
      { path: 'results[].type', type: 'string' },
      { path: 'results[].archived', type: 'boolean' },
      { path: 'results[].createdAt', type: 'datetime' },
      { path: 'results[].updatedAt', type: 'datetime' },
      { path: 'results[].email', type: 'string', optional: true },
      { path: 'results[].userId', type: 'integer', optional: true },
      ...CURSOR,
    ],
    errors: [],
    source: `${REFERENCE}/crm/owners/get-owners`,
    note: 'limit up to 500. id is the owner id (for hubspot_owner_id); userId is the user, a number.',
  },
  {
    id: 'owners.getById',
    method: 'GET',
    path: '/crm/v3/owners/{ownerId}',
    usedBy: 'directory.ts getOwner',
    scopes: ['crm.objects.owners.read'],
    request: [],
    success: [200],
    response: [
      { path: 'id', type: 'digits' },
      { path: 'type', type: 'string' },
      { path: 'archived', type: 'boolean' },
      { path: 'createdAt', type: 'datetime' },
      { path: 'updatedAt', type: 'datetime' },
      { path: 'email', type: 'string', optional: true },
      { path: 'userId', type: 'integer', optional: true },
    ],
    errors: [{ status: 404, category: 'OBJECT_NOT_FOUND', when: 'no owner with that id' }],
    source: `${REFERENCE}/crm/owners/get-owner`,
  },
  {
    id: 'lists.search',
    method: 'POST',
    path: '/crm/v3/lists/search',
    usedBy: 'directory.ts listLists; doctor.ts lists check',
    scopes: ['crm.lists.read'],
    request: [],
    success: [200],
    response: [
      { path: 'lists', type: 'array' },
      { path: 'hasMore', type: 'boolean' },
      { path: 'offset', type: 'integer' },
      { path: 'total', type: 'integer' },
      { path: 'lists[].listId', type: 'digits' },
      { path: 'lists[].name', type: 'string' },
      { path: 'lists[].objectTypeId', type: 'string' },
      { path: 'lists[].processingType', type: 'string' },
      { path: 'lists[].processingStatus', type: 'string' },
      { path: 'lists[].listVersion', type: 'integer' },
      { path: 'lists[].additionalProperties', type: 'object', optional: true },
    ],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'count over 500' }],
    source: `${REFERENCE}/crm/lists/search-lists`,
    note: 'Sizes are in additionalProperties.hs_list_size, a string. An empty query pages through every list.',
  },
  {
    id: 'lists.memberships',
    method: 'GET',
    path: '/crm/v3/lists/{listId}/memberships',
    usedBy: 'directory.ts getListMemberships (alert audiences)',
    scopes: ['crm.lists.read'],
    request: [],
    success: [200],
    response: [
      { path: 'results', type: 'array' },
      { path: 'results[].recordId', type: 'digits' },
      { path: 'results[].membershipTimestamp', type: 'datetime', optional: true },
      ...CURSOR,
    ],
    errors: [{ status: 404, category: 'OBJECT_NOT_FOUND', when: 'no list with that id' }],
    source: `${REFERENCE}/crm/lists/memberships/get-page`,
    note: 'limit up to 250 (default 100). The cursor is opaque: pass it back as given.',
  },
  {
    id: 'properties.getAll',
    method: 'GET',
    path: '/crm/v3/properties/{objectType}',
    usedBy: 'schema-sync.ts ensureSchema; doctor.ts property checks',
    scopes: ['crm.schemas.contacts.read', 'crm.objects.contacts.read'],
    request: [],
    success: [200],
    response: [
      { path: 'results', type: 'array' },
      { path: 'results[].name', type: 'string' },
      { path: 'results[].label', type: 'string' },
      { path: 'results[].type', type: 'string' },
      { path: 'results[].fieldType', type: 'string' },
      { path: 'results[].groupName', type: 'string' },
      { path: 'results[].description', type: 'string' },
      { path: 'results[].options', type: 'array' },
    ],
    errors: [],
    source: `${REFERENCE}/crm/properties/core/get-crm-v3-properties-objectType`,
  },
  {
    id: 'properties.create',
    method: 'POST',
    path: '/crm/v3/properties/{objectType}',
    usedBy: 'schema-sync.ts ensureSchema (idempotency key, question answers); doctor.ts setup',
    scopes: ['crm.schemas.contacts.write'],
    request: [
      { path: 'name', type: 'string' },
      { path: 'label', type: 'string' },
      { path: 'type', type: 'string' },
      { path: 'fieldType', type: 'string' },
      { path: 'groupName', type: 'string' },
    ],
    success: [201],
    response: [
      { path: 'name', type: 'string' },
      { path: 'label', type: 'string' },
      { path: 'type', type: 'string' },
      { path: 'fieldType', type: 'string' },
      { path: 'groupName', type: 'string' },
    ],
    errors: [
      { status: 409, category: 'OBJECT_ALREADY_EXISTS', when: 'a property with that name exists' },
      { status: 400, category: 'VALIDATION_ERROR', when: 'unknown group, type/fieldType mismatch' },
    ],
    source: `${REFERENCE}/crm/properties/core/post-crm-v3-properties-objectType`,
  },
  {
    id: 'properties.createGroup',
    method: 'POST',
    path: '/crm/v3/properties/{objectType}/groups',
    usedBy: "schema-sync.ts ensureSchema; doctor.ts setup (Rapport's property group)",
    scopes: ['crm.schemas.contacts.write'],
    request: [
      { path: 'name', type: 'string' },
      { path: 'label', type: 'string' },
    ],
    success: [201],
    response: [
      { path: 'name', type: 'string' },
      { path: 'label', type: 'string' },
      { path: 'displayOrder', type: 'integer' },
      { path: 'archived', type: 'boolean' },
    ],
    errors: [{ status: 409, category: 'OBJECT_ALREADY_EXISTS', when: 'a group with that name exists' }],
    source: `${REFERENCE}/crm/properties/groups/post-crm-v3-properties-objectType-groups`,
  },
  {
    id: 'tokenInfo',
    method: 'POST',
    path: '/oauth/v2/private-apps/get/access-token-info',
    usedBy: "doctor.ts scope check (the private app's granted scopes)",
    scopes: [],
    request: [{ path: 'tokenKey', type: 'string' }],
    success: [200],
    response: [
      { path: 'scopes', type: 'array' },
      { path: 'hubId', type: 'integer' },
      { path: 'appId', type: 'integer', optional: true },
      { path: 'userId', type: 'integer', optional: true },
    ],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'the tokenKey is not a private-app token' }],
    source: 'https://developers.hubspot.com/docs/api/private-apps',
    note: 'Needs no scope: any valid token may read its own scopes.',
  },
  {
    id: 'preferences.v4.batchRead',
    method: 'POST',
    path: '/communication-preferences/v4/statuses/batch/read',
    query: ['channel'],
    usedBy: 'preferences.ts getEmailSubscriptionStatuses (v4)',
    scopes: ['communication_preferences.statuses.batch.read'],
    request: [{ path: 'inputs', type: 'array' }],
    success: [200, 207],
    response: [
      ...BATCH,
      { path: 'results[].subscriberIdString', type: 'string' },
      { path: 'results[].statuses', type: 'array' },
      { path: 'results[].statuses[].channel', type: 'string' },
      { path: 'results[].statuses[].status', type: 'string' },
      { path: 'results[].statuses[].subscriptionId', type: 'integer' },
      { path: 'results[].statuses[].subscriberIdString', type: 'string' },
      { path: 'results[].statuses[].source', type: 'string' },
      { path: 'results[].statuses[].timestamp', type: 'datetime' },
    ],
    errors: [],
    source: `${REFERENCE}/communication-preferences/status/batch/get-subscriptions`,
    note: 'The batch scope comes with Marketing Hub Enterprise; elsewhere 403 MISSING_SCOPES.',
  },
  {
    id: 'preferences.v4.batchReadUnsubscribeAll',
    method: 'POST',
    path: '/communication-preferences/v4/statuses/batch/unsubscribe-all/read',
    query: ['channel'],
    usedBy: 'preferences.ts getEmailSubscriptionStatuses (v4, opted out of all)',
    scopes: ['communication_preferences.statuses.batch.read'],
    request: [{ path: 'inputs', type: 'array' }],
    success: [200, 207],
    response: [
      ...BATCH,
      { path: 'results[].subscriberIdString', type: 'string' },
      { path: 'results[].wideStatuses', type: 'array' },
      { path: 'results[].wideStatuses[].channel', type: 'string' },
      { path: 'results[].wideStatuses[].status', type: 'string' },
      { path: 'results[].wideStatuses[].wideStatusType', type: 'string' },
      { path: 'results[].wideStatuses[].subscriberIdString', type: 'string' },
      { path: 'results[].wideStatuses[].timestamp', type: 'datetime' },
    ],
    errors: [],
    source: `${REFERENCE}/communication-preferences/status/batch/get-unsubscribed-batch`,
  },
  {
    id: 'preferences.v4.update',
    method: 'POST',
    path: '/communication-preferences/v4/statuses/{subscriberIdString}',
    usedBy: 'preferences.ts unsubscribeEmail and subscribeEmail (one subscription type, v4)',
    scopes: ['communication_preferences.write'],
    request: [
      { path: 'channel', type: 'string' },
      { path: 'statusState', type: 'string' },
      { path: 'subscriptionId', type: 'integer' },
    ],
    success: [200],
    response: [
      ...BATCH,
      { path: 'results[].channel', type: 'string' },
      { path: 'results[].subscriberIdString', type: 'string' },
      { path: 'results[].subscriptionId', type: 'integer' },
      { path: 'results[].status', type: 'string' },
      { path: 'results[].source', type: 'string' },
      { path: 'results[].timestamp', type: 'datetime' },
    ],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'unknown subscription id, bad legal basis' }],
    source:
      'https://developers.hubspot.com/docs/api-reference/latest/communication-preferences/status/update-subscription',
  },
  {
    id: 'preferences.v4.unsubscribeAll',
    method: 'POST',
    path: '/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all',
    query: ['channel'],
    usedBy: 'preferences.ts unsubscribeEmail (all email)',
    scopes: ['communication_preferences.write'],
    request: [],
    success: [200],
    response: BATCH,
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'no channel, or not an email address' }],
    source:
      'https://developers.hubspot.com/docs/api-reference/communication-preferences-subscriptions-v4/subscription-status/get-communication-preferences-v4-statuses-subscriberIdString-unsubscribe-all',
  },
  {
    id: 'preferences.v3.status',
    method: 'GET',
    path: '/communication-preferences/v3/status/email/{emailAddress}',
    usedBy: 'preferences.ts getEmailSubscriptionStatuses (v3, one address a call)',
    scopes: ['communication_preferences.read'],
    request: [],
    success: [200],
    response: [
      { path: 'recipient', type: 'string' },
      { path: 'subscriptionStatuses', type: 'array' },
      { path: 'subscriptionStatuses[].id', type: 'digits' },
      { path: 'subscriptionStatuses[].name', type: 'string' },
      { path: 'subscriptionStatuses[].description', type: 'string' },
      { path: 'subscriptionStatuses[].status', type: 'string' },
      { path: 'subscriptionStatuses[].sourceOfStatus', type: 'string' },
    ],
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'not an email address' }],
    source: `${REFERENCE}/communication-preferences/v3/get-subscription`,
    note: 'v3 ids are strings; v4 subscriptionId the same number as a JSON number.',
  },
  v3StatusChange('unsubscribe', {
    usedBy: 'preferences.ts unsubscribeEmail (v3 mode)',
    errors: [{ status: 400, category: 'VALIDATION_ERROR', when: 'already unsubscribed, unknown subscription' }],
  }),
  v3StatusChange('subscribe', {
    usedBy: 'preferences.ts subscribeEmail (v3 mode; the preference centre turning a topic on)',
    errors: [
      {
        status: 400,
        category: 'VALIDATION_ERROR',
        when: 'the address unsubscribed from the type or opted out of all email (v3 will not subscribe it again; v4 can)',
      },
    ],
    note: 'HubSpot documents no answer for a subscribe already in place; the adapter takes a 400 that says "already" as done.',
  }),
];
