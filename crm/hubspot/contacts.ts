import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js';
import type { ContactSearch, CrmContact, Page } from '../port.js';
import { chunk, orNull, type AdapterContext } from './context.js';
import { toContact as toRapportContact, type HubSpotRecord } from './mapping.js';
import { BATCH_SIZE } from './schema.js';
import { SEGMENT_PROPERTIES } from '../../domain/segments.js';
import { NEXT_BEST_ACTION_PROPERTIES } from '../../domain/next-best-action.js';
import { ANSWER_PROPERTY_PREFIX } from '../../domain/questions.js';

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** What the contact read model keeps: smaller pages than full contact reads. */
const READ_MODEL_PROPERTIES = ['email', 'firstname', 'lastname', 'company', 'hubspot_owner_id', 'lastmodifieddate'];
/** The read model's segments (the dashboard's value tier and relationship length), under Rapport's names. */
const READ_MODEL_SEGMENTS = [SEGMENT_PROPERTIES.revenue, SEGMENT_PROPERTIES.customerSince];
/** HubSpot's page sizes: 100 for object lists, 200 for search. */
const LIST_PAGE = 100;
const SEARCH_PAGE = 200;

export function contactOperations(ctx: AdapterContext) {
  const { client } = ctx;
  const toContact = (record: HubSpotRecord) => toRapportContact(record, ctx.properties);
  // The read model also keeps what the next-best-action rules read (the book's actions are worked
  // out from it): those properties and the answers to questions, whose properties schema sync adds.
  const readModelProperties = () => [
    ...new Set([
      ...ctx.properties.readNames([...READ_MODEL_PROPERTIES, ...READ_MODEL_SEGMENTS, ...NEXT_BEST_ACTION_PROPERTIES]),
      ...ctx.contactProperties().filter((name) => name.startsWith(ANSWER_PROPERTY_PREFIX)),
    ]),
  ];

  async function batchRead(values: string[], idProperty?: string): Promise<CrmContact[]> {
    const found: CrmContact[] = [];
    for (const ids of chunk(values, BATCH_SIZE)) {
      const response = await ctx.call('standard', () =>
        client.crm.contacts.batchApi.read({
          inputs: ids.map((id) => ({ id })),
          properties: ctx.contactProperties(),
          propertiesWithHistory: [],
          ...(idProperty ? { idProperty } : {}),
        }),
      );
      // Unknown ids come back as a 207 error entry, not as a failure.
      found.push(...response.results.map(toContact));
    }
    return found;
  }

  return {
    async findContactByEmail(email: string): Promise<CrmContact | null> {
      const normalised = normaliseEmail(email);
      if (!normalised) return null;
      const record = await orNull(() =>
        ctx.call('standard', () =>
          client.crm.contacts.basicApi.getById(
            normalised,
            ctx.contactProperties(),
            undefined,
            ['companies'],
            false,
            'email',
          ),
        ),
      );
      return record && toContact(record);
    },

    async getContact(id: string): Promise<CrmContact | null> {
      const record = await orNull(() =>
        ctx.call('standard', () =>
          client.crm.contacts.basicApi.getById(id, ctx.contactProperties(), undefined, ['companies']),
        ),
      );
      return record && toContact(record);
    },

    getContacts: (ids: string[]) => batchRead([...new Set(ids.filter(Boolean))]),

    findContactsByEmail: (emails: string[]) =>
      batchRead([...new Set(emails.map(normaliseEmail).filter(Boolean))], 'email'),

    async searchContacts(search: ContactSearch): Promise<CrmContact[]> {
      const wanted = Math.min(Math.max(search.limit ?? 10, 1), 10_000);
      const found: CrmContact[] = [];
      let after: string | undefined;
      do {
        const page = await ctx.call('search', () =>
          client.crm.contacts.searchApi.doSearch({
            query: search.query,
            limit: Math.min(200, wanted - found.length),
            properties: ctx.contactProperties(),
            filterGroups: [],
            ...(after ? { after } : {}),
          }),
        );
        found.push(...page.results.map(toContact));
        after = page.paging?.next?.after;
      } while (after && found.length < wanted);
      return found;
    },

    async listContacts(page: { after?: string; limit?: number } = {}): Promise<Page<CrmContact>> {
      const response = await ctx.call('standard', () =>
        client.crm.contacts.basicApi.getPage(
          Math.min(Math.max(page.limit ?? LIST_PAGE, 1), LIST_PAGE),
          page.after,
          readModelProperties(),
        ),
      );
      return { results: response.results.map(toContact), after: response.paging?.next?.after };
    },

    async listContactsModifiedSince(
      since: Date,
      page: { after?: string; limit?: number } = {},
    ): Promise<Page<CrmContact> & { total: number }> {
      const response = await ctx.call('search', () =>
        client.crm.contacts.searchApi.doSearch({
          filterGroups: [
            {
              filters: [
                {
                  propertyName: 'lastmodifieddate',
                  operator: 'GTE' as FilterOperatorEnum,
                  value: String(since.getTime()),
                },
              ],
            },
          ],
          // HubSpot takes sort objects; the client's type says strings but passes them through as given.
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }] as unknown as string[],
          properties: readModelProperties(),
          limit: Math.min(Math.max(page.limit ?? SEARCH_PAGE, 1), SEARCH_PAGE),
          ...(page.after ? { after: page.after } : {}),
        }),
      );
      return {
        results: response.results.map(toContact),
        after: response.paging?.next?.after,
        total: response.total,
      };
    },

    async updateContactProperties(id: string, properties: Record<string, string>): Promise<void> {
      await ctx.call('standard', () =>
        client.crm.contacts.basicApi.update(id, { properties: ctx.properties.toHubSpot(properties) }),
      );
    },

    async updateContactsProperties(updates: { id: string; properties: Record<string, string> }[]): Promise<void> {
      // HubSpot refuses a batch that names a record twice: merge first.
      const merged = new Map<string, Record<string, string>>();
      for (const u of updates) merged.set(u.id, { ...merged.get(u.id), ...ctx.properties.toHubSpot(u.properties) });
      for (const inputs of chunk(
        [...merged].map(([id, properties]) => ({ id, properties })),
        BATCH_SIZE,
      )) {
        const response = await ctx.call('standard', () => client.crm.contacts.batchApi.update({ inputs }));
        const errors = 'errors' in response ? (response.errors ?? []) : [];
        if (errors.length > 0) {
          // The rest of the batch was written; a vanished contact must not fail its neighbours.
          ctx.logger?.warn(
            { crm: 'hubspot', errors: errors.map((e) => e.message) },
            'some contact updates were not applied',
          );
        }
      }
    },
  };
}
