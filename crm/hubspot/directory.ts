import type { CrmList, CrmOwner, Page } from '../port.js';
import { orNull, type AdapterContext } from './context.js';
import { toOwner } from './mapping.js';

const CONTACT_OBJECT_TYPE_ID = '0-1';

/** Owners and lists: who works the accounts, and which contacts a campaign reaches. */
export function directoryOperations(ctx: AdapterContext) {
  const { client } = ctx;

  return {
    async listOwners(): Promise<CrmOwner[]> {
      const owners: CrmOwner[] = [];
      let after: string | undefined;
      do {
        const page = await ctx.call('standard', () =>
          client.crm.owners.ownersApi.getPage(undefined, after, 500, false),
        );
        owners.push(...page.results.map(toOwner));
        after = page.paging?.next?.after;
      } while (after);
      return owners;
    },

    async getOwner(id: string): Promise<CrmOwner | null> {
      if (!/^\d+$/.test(id)) return null;
      const owner = await orNull(() =>
        ctx.call('standard', () => client.crm.owners.ownersApi.getById(Number(id), 'id', false)),
      );
      return owner && toOwner(owner);
    },

    /** Contact lists only: the ids a membership page returns are contact ids. */
    async listLists(): Promise<CrmList[]> {
      const lists: CrmList[] = [];
      for (let offset = 0, more = true; more;) {
        const page = await ctx.call('standard', () =>
          client.crm.lists.listsApi.doSearch({ query: '', offset, count: 500 }),
        );
        for (const l of page.lists) {
          if (l.objectTypeId !== CONTACT_OBJECT_TYPE_ID) continue;
          lists.push({
            id: l.listId,
            name: l.name,
            size: Number(l.additionalProperties?.hs_list_size ?? 0),
            processingType: l.processingType,
          });
        }
        more = page.hasMore && page.lists.length > 0;
        offset = page.offset;
      }
      return lists;
    },

    async getListMemberships(listId: string, after?: string, limit = 100): Promise<Page<string>> {
      const size = Math.min(Math.max(Math.trunc(limit), 1), 250);
      const page = await ctx.call('standard', () =>
        client.crm.lists.membershipsApi.getPage(listId, after, undefined, size),
      );
      const next = page.paging?.next?.after;
      return { results: page.results.map((m) => m.recordId), ...(next ? { after: next } : {}) };
    },

    async ping(): Promise<void> {
      await ctx.call('standard', () => client.crm.owners.ownersApi.getPage(undefined, undefined, 1, false));
    },
  };
}
