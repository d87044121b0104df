import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/companies/models/Filter.js';
import type { CrmCompany, Page } from '../port.js';
import { orNull, type AdapterContext } from './context.js';
import { toCompany } from './mapping.js';
import { COMPANY_PROPERTIES } from './schema.js';

/** HubSpot's page sizes: 100 for object lists, 200 for search. */
const LIST_PAGE = 100;
const SEARCH_PAGE = 200;
/** Companies keep their last modification in hs_lastmodifieddate (contacts: lastmodifieddate). */
const MODIFIED = 'hs_lastmodifieddate';

const pageSize = (limit: number | undefined, max: number) => Math.min(Math.max(limit ?? max, 1), max);

/** Companies: one by id for a customer's context, and every one (or what changed) for the company read model. */
export function companyOperations(ctx: AdapterContext) {
  const { client } = ctx;

  return {
    async getCompany(id: string): Promise<CrmCompany | null> {
      const record = await orNull(() =>
        ctx.call('standard', () => client.crm.companies.basicApi.getById(id, COMPANY_PROPERTIES)),
      );
      return record && toCompany(record);
    },

    async listCompanies(page: { after?: string; limit?: number } = {}): Promise<Page<CrmCompany>> {
      const response = await ctx.call('standard', () =>
        client.crm.companies.basicApi.getPage(pageSize(page.limit, LIST_PAGE), page.after, COMPANY_PROPERTIES),
      );
      return { results: response.results.map(toCompany), after: response.paging?.next?.after };
    },

    async listCompaniesModifiedSince(
      since: Date,
      page: { after?: string; limit?: number } = {},
    ): Promise<Page<CrmCompany> & { total: number }> {
      const response = await ctx.call('search', () =>
        client.crm.companies.searchApi.doSearch({
          filterGroups: [
            {
              filters: [
                { propertyName: MODIFIED, operator: 'GTE' as FilterOperatorEnum, value: String(since.getTime()) },
              ],
            },
          ],
          // HubSpot takes sort objects; the client's type says strings but passes them through as given.
          sorts: [{ propertyName: MODIFIED, direction: 'ASCENDING' }] as unknown as string[],
          properties: COMPANY_PROPERTIES,
          limit: pageSize(page.limit, SEARCH_PAGE),
          ...(page.after ? { after: page.after } : {}),
        }),
      );
      return { results: response.results.map(toCompany), after: response.paging?.next?.after, total: response.total };
    },
  };
}
