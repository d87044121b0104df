import type {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate.js';
import { CrmError, type CrmPort } from '../port.js';
import type { AdapterContext } from './context.js';
import { IDEMPOTENCY_KEY, PROPERTY_GROUP, type WritableObjectType } from './schema.js';

type SchemaEntry = Parameters<CrmPort['ensureSchema']>[0][number];
type ObjectType = SchemaEntry['objectType'];

const tolerateConflict = (error: unknown) => {
  // Another process (or an earlier run) created it first: that is the outcome we wanted.
  if (error instanceof CrmError && error.code === 'CRM_CONFLICT') return;
  throw error;
};

/** Creates Rapport's custom properties where missing; safe to run on every start. */
export function schemaOperations(ctx: AdapterContext) {
  const { client } = ctx;
  const keyReady = new Map<WritableObjectType, Promise<void>>();

  async function ensureFor(objectType: ObjectType, entries: SchemaEntry[]) {
    const existing = await ctx.call('standard', () => client.crm.properties.coreApi.getAll(objectType));
    const names = new Set(existing.results.map((p) => p.name));
    const missing = entries.filter((e) => !names.has(e.name));
    if (missing.length === 0) return;
    await ctx
      .call('standard', () =>
        client.crm.properties.groupsApi.create(objectType, { name: PROPERTY_GROUP.name, label: PROPERTY_GROUP.label }),
      )
      .catch(tolerateConflict);
    for (const entry of missing) {
      await ctx
        .call('standard', () =>
          client.crm.properties.coreApi.create(objectType, {
            name: entry.name,
            label: entry.label,
            type: 'string' as PropertyCreateTypeEnum,
            fieldType: (objectType === 'contacts' ? 'textarea' : 'text') as PropertyCreateFieldTypeEnum,
            groupName: PROPERTY_GROUP.name,
          }),
        )
        .catch(tolerateConflict);
    }
  }

  async function ensureSchema(entries: SchemaEntry[]): Promise<void> {
    // Contact answers become part of every contact read even if the CRM cannot be reached yet.
    ctx.addContactProperties(entries.filter((e) => e.objectType === 'contacts').map((e) => e.name));
    const byType = new Map<ObjectType, SchemaEntry[]>();
    for (const e of entries) byType.set(e.objectType, [...(byType.get(e.objectType) ?? []), e]);
    for (const [objectType, list] of byType) await ensureFor(objectType, list);
    for (const [objectType, list] of byType) {
      if (objectType !== 'contacts' && list.some((e) => e.name === IDEMPOTENCY_KEY))
        keyReady.set(objectType, Promise.resolve());
    }
  }

  /** Writes depend on the idempotency key property: make sure it exists once per process and type. */
  function ensureIdempotencyKey(objectType: WritableObjectType): Promise<void> {
    let ready = keyReady.get(objectType);
    if (!ready) {
      ready = ensureFor(objectType, [{ objectType, name: IDEMPOTENCY_KEY, label: 'Rapport idempotency key' }]);
      ready.catch(() => keyReady.delete(objectType));
      keyReady.set(objectType, ready);
    }
    return ready;
  }

  return { ensureSchema, ensureIdempotencyKey };
}
