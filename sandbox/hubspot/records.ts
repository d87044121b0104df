import { ASSOCIATION_TYPES, type ObjectType } from './object-types.js';
import { ALWAYS_READ_PROPERTIES, DEFAULT_READ_PROPERTIES, TIMESTAMP_PROPERTIES } from './property-catalog.js';
import type { CrmRecord, SandboxState } from './state.js';

export interface AssociationInput {
  to?: { id?: string | number };
  types?: { associationCategory?: string; associationTypeId?: number }[];
}

/** A record as HubSpot's v3 object endpoints return it. */
export function present(
  state: SandboxState,
  type: ObjectType,
  record: CrmRecord,
  requested?: string[],
  associationTypes: ObjectType[] = [],
) {
  const defs = state.propertyDefs(type);
  const names =
    requested && requested.length > 0 ? [...requested, ...ALWAYS_READ_PROPERTIES[type]] : DEFAULT_READ_PROPERTIES[type];
  const properties: Record<string, string | null> = {};
  for (const name of [...new Set(names)].sort()) {
    if (defs.has(name)) properties[name] = record.properties[name] ?? null;
  }
  const body: Record<string, unknown> = {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  };
  const associations: Record<string, { results: { id: string; type: string }[] }> = {};
  for (const toType of associationTypes) {
    const results: { id: string; type: string }[] = [];
    for (const [toId, typeIds] of state.associations(type, record.id, toType)) {
      for (const typeId of [...typeIds].sort((a, b) => a - b)) {
        results.push({ id: toId, type: ASSOCIATION_TYPES.get(typeId)?.name ?? String(typeId) });
      }
    }
    if (results.length > 0) associations[toType] = { results };
  }
  if (Object.keys(associations).length > 0) body.associations = associations;
  return body;
}

/** Looks a record up by id or, for contacts, by email (case-insensitive, oldest first). */
export function findRecord(
  state: SandboxState,
  type: ObjectType,
  id: string,
  idProperty?: string,
): CrmRecord | undefined {
  if (!idProperty || idProperty === 'hs_object_id') return state.get(type, id);
  const wanted = id.trim().toLowerCase();
  for (const record of state.table(type).values()) {
    if (!record.archived && record.properties[idProperty]?.toLowerCase() === wanted) return record;
  }
  return undefined;
}

export function contactByEmail(state: SandboxState, email: string, exceptId?: string): CrmRecord | undefined {
  const wanted = email.toLowerCase();
  for (const record of state.table('contacts').values()) {
    if (!record.archived && record.id !== exceptId && record.properties.email?.toLowerCase() === wanted) return record;
  }
  return undefined;
}

/** Returns a problem description for an inline association, or the resolved pair. */
export function checkAssociation(
  state: SandboxState,
  fromType: ObjectType,
  input: AssociationInput,
): { error: string } | { toType: ObjectType; toId: string; typeIds: number[] } {
  const toId = input.to?.id === undefined ? '' : String(input.to.id);
  const typeIds: number[] = [];
  let toType: ObjectType | undefined;
  for (const t of input.types ?? []) {
    const def = t.associationTypeId === undefined ? undefined : ASSOCIATION_TYPES.get(t.associationTypeId);
    if (!def || def.from !== fromType || (t.associationCategory ?? 'HUBSPOT_DEFINED') !== 'HUBSPOT_DEFINED') {
      return {
        error: `${t.associationCategory}/${t.associationTypeId} is not a valid association type from ${fromType}`,
      };
    }
    toType = def.to;
    typeIds.push(def.id);
  }
  if (!toType || !toId) return { error: 'Each association needs to.id and at least one type' };
  if (!state.get(toType, toId)) return { error: `No ${toType} with id ${toId} to associate with` };
  return { toType, toId, typeIds };
}

export function createRecord(
  state: SandboxState,
  type: ObjectType,
  properties: Record<string, string>,
  associations: { toType: ObjectType; toId: string; typeIds: number[] }[],
  at: string,
): CrmRecord {
  const id = state.allocateId(type);
  const stamps = TIMESTAMP_PROPERTIES[type];
  const values = Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== ''));
  const created = values[stamps.created] ?? at;
  const record: CrmRecord = {
    id,
    properties: { ...values, hs_object_id: id, [stamps.created]: created, [stamps.modified]: at },
    createdAt: created,
    updatedAt: at,
    archived: false,
  };
  state.table(type).set(id, record);
  for (const a of associations) {
    for (const typeId of a.typeIds) state.associate(type, id, a.toType, a.toId, typeId);
    if (type === 'contacts' && a.toType === 'companies' && a.typeIds.includes(1)) {
      record.properties.associatedcompanyid = a.toId;
    }
  }
  return record;
}

export function updateRecord(type: ObjectType, record: CrmRecord, properties: Record<string, string>, at: string) {
  for (const [name, value] of Object.entries(properties)) {
    if (value === '') delete record.properties[name];
    else record.properties[name] = value;
  }
  record.properties[TIMESTAMP_PROPERTIES[type].modified] = at;
  record.updatedAt = at;
}
