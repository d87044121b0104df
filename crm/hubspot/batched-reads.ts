import { coalesce } from '../../lib/coalesce.js';
import { chunk, type AdapterContext } from './context.js';
import type { HubSpotRecord } from './mapping.js';
import { BATCH_SIZE, type WritableObjectType } from './schema.js';

/** HubSpot's v4 association batch read takes up to 1,000 ids; 100 keeps each answer small. */
const ASSOCIATION_BATCH = 100;
/** How long the first caller waits for others to join its batch. */
const JOIN_WAIT_MS = 5;

/**
 * Reads many callers make at the same time for different contacts: the customer contexts of a
 * burst of Slack /customer commands, the add-in panes of a team. Each caller asks for one
 * contact's associations or a few records; concurrent callers share HubSpot batch requests (v4
 * association batch read, v3 object batch read), so fifty contexts cost a handful of requests
 * instead of hundreds, inside the same 100-per-10-seconds budget as every write.
 */
export function batchedReads(ctx: AdapterContext, recordProperties: (type: WritableObjectType) => string[]) {
  const associationReaders = new Map<WritableObjectType, (contactId: string) => Promise<string[]>>();
  const recordReaders = new Map<WritableObjectType, (ids: string[]) => Promise<HubSpotRecord[]>>();

  /** Every associated id of each contact (following each one's paging). */
  async function readAssociations(objectType: WritableObjectType, contactIds: string[]) {
    const found = new Map<string, string[]>(contactIds.map((id) => [id, []]));
    let inputs = contactIds.map((id) => ({ id, after: undefined as string | undefined }));
    while (inputs.length > 0) {
      const next: typeof inputs = [];
      for (const batch of chunk(inputs, ASSOCIATION_BATCH)) {
        const response = await ctx.call('standard', () =>
          ctx.client.crm.associations.v4.batchApi.getPage('contacts', objectType, {
            inputs: batch.map(({ id, after }) => (after ? { id, after } : { id })),
          }),
        );
        // A contact without associations of this type comes back as an error entry (207), not a result.
        for (const result of response.results) {
          const from = String(result._from.id);
          found.get(from)?.push(...result.to.map((t) => String(t.toObjectId)));
          const after = result.paging?.next?.after;
          if (after) next.push({ id: from, after });
        }
      }
      inputs = next;
    }
    return found;
  }

  async function readRecords(objectType: WritableObjectType, ids: string[]) {
    const found = new Map<string, HubSpotRecord>();
    for (const batch of chunk(ids, BATCH_SIZE)) {
      const response = await ctx.call('standard', () =>
        ctx.client.crm.objects.batchApi.read(objectType, {
          inputs: batch.map((id) => ({ id })),
          properties: recordProperties(objectType),
          propertiesWithHistory: [],
        }),
      );
      // Records deleted meanwhile are 207 error entries: simply absent.
      for (const record of response.results) found.set(record.id, record);
    }
    return found;
  }

  return {
    /** Ids of the records of `objectType` associated with the contact. */
    associatedIds(contactId: string, objectType: WritableObjectType): Promise<string[]> {
      let read = associationReaders.get(objectType);
      if (!read) {
        read = coalesce<string, string[]>({
          maxSize: ASSOCIATION_BATCH,
          maxWaitMs: JOIN_WAIT_MS,
          maxInFlight: 4,
          run: async (contactIds) => {
            const found = await readAssociations(objectType, [...new Set(contactIds)]);
            return contactIds.map((id) => [...(found.get(id) ?? [])]);
          },
        });
        associationReaders.set(objectType, read);
      }
      return read(contactId);
    },

    /** The records with these ids that exist, in the order asked. */
    async records(objectType: WritableObjectType, ids: string[]): Promise<HubSpotRecord[]> {
      if (ids.length === 0) return [];
      let read = recordReaders.get(objectType);
      if (!read) {
        read = coalesce<string[], HubSpotRecord[]>({
          maxSize: BATCH_SIZE,
          maxWaitMs: JOIN_WAIT_MS,
          maxInFlight: 4,
          run: async (asked) => {
            const found = await readRecords(objectType, [...new Set(asked.flat())]);
            return asked.map((list) => list.map((id) => found.get(id)).filter((r) => r !== undefined));
          },
        });
        recordReaders.set(objectType, read);
      }
      return read(ids);
    },
  };
}

export type BatchedReads = ReturnType<typeof batchedReads>;
