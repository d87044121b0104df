import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec.js';
import { CrmError, type CrmEngagement, type EngagementKind } from '../port.js';
import type { BatchedReads } from './batched-reads.js';
import { chunk, type AdapterContext } from './context.js';
import { toEngagement, type CreateInput } from './mapping.js';
import { BATCH_SIZE, IDEMPOTENCY_KEY, OBJECT_TYPE, type WritableObjectType } from './schema.js';

const TIMELINE_KINDS: EngagementKind[] = ['note', 'call', 'email', 'meeting'];
const RECENT_KEYS = 20_000;

/**
 * Idempotent writes: one search per batch of up to 100 keys finds what exists, one batch/create
 * writes the rest. Keys this process wrote recently are remembered, because HubSpot's search
 * index lags behind writes and a quick retry would not find them there.
 */
export function engagementOperations(
  ctx: AdapterContext,
  ensureIdempotencyKey: (type: WritableObjectType) => Promise<void>,
  reads: BatchedReads,
) {
  const { client } = ctx;
  const recent = new Map<string, string>();
  const remember = (objectType: string, key: string, id: string) => {
    if (recent.size >= RECENT_KEYS) recent.delete(recent.keys().next().value as string);
    recent.set(`${objectType}:${key}`, id);
  };

  /** Lower-cased key -> id of the oldest record carrying it. */
  async function lookUp(objectType: WritableObjectType, keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unknown: string[] = [];
    for (const key of new Set(keys.map((k) => k.toLowerCase()))) {
      const id = recent.get(`${objectType}:${key}`);
      if (id) found.set(key, id);
      else unknown.push(key);
    }
    for (const values of chunk(unknown, BATCH_SIZE)) {
      let after: string | undefined;
      do {
        const page = await ctx.call('search', () =>
          client.crm.objects.searchApi.doSearch(objectType, {
            // IN compares with HubSpot's lower-cased index: the values must be lower case.
            filterGroups: [
              { filters: [{ propertyName: IDEMPOTENCY_KEY, operator: 'IN' as FilterOperatorEnum, values }] },
            ],
            properties: [IDEMPOTENCY_KEY],
            limit: 200,
            ...(after ? { after } : {}),
          }),
        );
        for (const record of page.results) {
          const key = record.properties[IDEMPOTENCY_KEY]?.toLowerCase();
          const known = key ? found.get(key) : undefined;
          if (key && (!known || Number(record.id) < Number(known))) found.set(key, record.id);
        }
        after = page.paging?.next?.after;
      } while (after);
    }
    return found;
  }

  async function createBatch(objectType: WritableObjectType, inputs: CreateInput[]): Promise<Map<string, string>> {
    const response = await ctx.call('standard', () =>
      client.crm.objects.batchApi.create(objectType, {
        inputs: inputs.map((i) => ({
          properties: i.properties,
          associations: i.associations.map((a) => ({
            to: a.to,
            types: a.types.map((t) => ({
              ...t,
              associationCategory: t.associationCategory as AssociationSpecAssociationCategoryEnum,
            })),
          })),
        })),
      }),
    );
    // Batch results are not in input order: match them up by key.
    const ids = new Map<string, string>();
    for (const record of response.results) {
      const key = record.properties[IDEMPOTENCY_KEY]?.toLowerCase();
      if (key) ids.set(key, record.id);
    }
    const lost = inputs.filter((i) => !ids.has(i.key.toLowerCase()));
    if (lost.length > 0) {
      throw new CrmError(
        'CRM_UNAVAILABLE',
        `HubSpot did not confirm ${lost.length} of ${inputs.length} created records`,
      );
    }
    return ids;
  }

  async function createIdempotent(inputs: CreateInput[]): Promise<{ id: string; created: boolean }[]> {
    const results: { id: string; created: boolean }[] = new Array(inputs.length);
    const byType = new Map<WritableObjectType, number[]>();
    inputs.forEach((input, i) => byType.set(input.objectType, [...(byType.get(input.objectType) ?? []), i]));

    for (const [objectType, indexes] of byType) {
      await ensureIdempotencyKey(objectType);
      // Group by key so a key repeated in the input is written once.
      const byKey = new Map<string, number[]>();
      for (const i of indexes) {
        const key = inputs[i]!.key.toLowerCase();
        byKey.set(key, [...(byKey.get(key) ?? []), i]);
      }
      for (const keys of chunk([...byKey.keys()], BATCH_SIZE)) {
        // Only keys some earlier attempt may have written need a look-up.
        const uncertain = keys.filter((k) => byKey.get(k)!.some((i) => !inputs[i]!.firstAttempt));
        const existing = uncertain.length > 0 ? await lookUp(objectType, uncertain) : new Map<string, string>();
        const missing = keys.filter((k) => !existing.has(k));
        const created =
          missing.length > 0
            ? await createBatch(
                objectType,
                missing.map((k) => inputs[byKey.get(k)![0]!]!),
              )
            : new Map<string, string>();
        for (const key of keys) {
          const newId = created.get(key);
          const id = newId ?? existing.get(key)!;
          remember(objectType, key, id);
          byKey.get(key)!.forEach((i, n) => (results[i] = { id, created: newId !== undefined && n === 0 }));
        }
      }
    }
    return results;
  }

  async function readEngagements(kind: EngagementKind, ids: string[]): Promise<CrmEngagement[]> {
    return (await reads.records(OBJECT_TYPE[kind], ids)).map((r) => toEngagement(kind, r));
  }

  return {
    createIdempotent,

    async findEngagementsByKeys(kind: EngagementKind, keys: string[]): Promise<Map<string, string>> {
      const objectType = OBJECT_TYPE[kind];
      await ensureIdempotencyKey(objectType);
      const found = await lookUp(objectType, keys);
      // Answer in the caller's spelling of each key.
      return new Map(keys.filter((k) => found.has(k.toLowerCase())).map((k) => [k, found.get(k.toLowerCase())!]));
    },

    async listContactEngagements(contactId: string, limit = 50): Promise<CrmEngagement[]> {
      // HubSpot ids grow with creation time: read the newest few per kind, then order by hs_timestamp.
      const perKind = Math.max(limit, 100);
      const lists = await Promise.all(
        TIMELINE_KINDS.map(async (kind) => {
          const ids = await reads.associatedIds(contactId, OBJECT_TYPE[kind]);
          const newest = ids.sort((a, b) => Number(b) - Number(a)).slice(0, perKind);
          return readEngagements(kind, newest);
        }),
      );
      return lists
        .flat()
        .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
        .slice(0, limit);
    },
  };
}
