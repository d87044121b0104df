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

/**
 * How a type's records carry Rapport's idempotency key: its own custom property, or (on a portal
 * that refuses custom properties on that type) a marker in the record's body (engagement-marker.ts).
 */
export type KeyCarrier = 'property' | 'marker';

/** The portal will not take the property (400 validation, 403): a retry cannot change that. */
const refusesProperty = (error: unknown) =>
  error instanceof CrmError && (error.code === 'CRM_BAD_REQUEST' || error.status === 403);

/** Creates Rapport's custom properties where missing; safe to run on every start. */
export function schemaOperations(ctx: AdapterContext) {
  const { client } = ctx;
  const keyReady = new Map<WritableObjectType, Promise<KeyCarrier>>();
  const markWithMarker = (objectType: WritableObjectType, error: unknown): KeyCarrier => {
    ctx.logger?.warn(
      { crm: 'hubspot', objectType, err: error instanceof Error ? error.message : String(error) },
      `HubSpot refuses the ${IDEMPOTENCY_KEY} property on ${objectType}: keys go in a marker in the body instead`,
    );
    return 'marker';
  };

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
    for (const [objectType, list] of byType) {
      if (objectType === 'contacts' || !list.some((e) => e.name === IDEMPOTENCY_KEY)) {
        await ensureFor(objectType, list);
        continue;
      }
      // One type refusing the key must not stop the others (nor the contact answers) being ensured.
      const carrier = await ensureFor(objectType, list).then(
        (): KeyCarrier => 'property',
        (error: unknown) => {
          if (!refusesProperty(error)) throw error;
          return markWithMarker(objectType, error);
        },
      );
      keyReady.set(objectType, Promise.resolve(carrier));
    }
  }

  /** Writes depend on the idempotency key property: make sure it exists (or is refused) once per process and type. */
  function ensureIdempotencyKey(objectType: WritableObjectType): Promise<KeyCarrier> {
    let ready = keyReady.get(objectType);
    if (!ready) {
      ready = ensureFor(objectType, [{ objectType, name: IDEMPOTENCY_KEY, label: 'Rapport idempotency key' }]).then(
        (): KeyCarrier => 'property',
        (error: unknown) => {
          if (!refusesProperty(error)) throw error;
          return markWithMarker(objectType, error);
        },
      );
      ready.catch(() => keyReady.delete(objectType));
      keyReady.set(objectType, ready);
    }
    return ready;
  }

  return { ensureSchema, ensureIdempotencyKey };
}
