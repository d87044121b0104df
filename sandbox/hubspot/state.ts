import { ASSOCIATION_TYPES, OBJECT_TYPES, type ObjectType } from './object-types.js';
import { DEFAULT_GROUPS, builtInProperties, type PropertyDef, type PropertyGroupDef } from './property-catalog.js';
import type { SearchFilterGroup } from './search.js';
import { SubscriptionBook, type SerializedSubscriptions } from './subscriptions.js';

export interface CrmRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface OwnerRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface ListRecord {
  listId: string;
  name: string;
  processingType: 'MANUAL' | 'DYNAMIC' | 'SNAPSHOT';
  objectTypeId: string;
  listVersion: number;
  createdAt: string;
  updatedAt: string;
  /** MANUAL and SNAPSHOT lists only. */
  members: { recordId: string; membershipTimestamp: string }[];
  /** DYNAMIC lists: search filters; a value `now-180d` means 180 days before the moment of evaluation. */
  filterGroups?: SearchFilterGroup[];
}

const ID_BASE: Record<ObjectType, number> = {
  contacts: 101,
  companies: 5001,
  notes: 30001,
  calls: 40001,
  emails: 50001,
  meetings: 60001,
  tasks: 70001,
};

/** Everything the sandbox knows, as plain data so it can be written to JSON. */
export class SandboxState {
  records = new Map<ObjectType, Map<string, CrmRecord>>(OBJECT_TYPES.map((t) => [t, new Map()]));
  properties = new Map<ObjectType, Map<string, PropertyDef>>();
  groups = new Map<ObjectType, Map<string, PropertyGroupDef>>();
  nextId = new Map<ObjectType, number>(OBJECT_TYPES.map((t) => [t, ID_BASE[t]]));
  owners: OwnerRecord[] = [];
  lists: ListRecord[] = [];
  /** Communication preferences (email subscriptions), by address. */
  subscriptions = new SubscriptionBook();
  /** `${fromType}:${fromId}:${toType}` -> toId -> association type ids. */
  private edges = new Map<string, Map<string, Set<number>>>();

  constructor(at = new Date().toISOString()) {
    for (const type of OBJECT_TYPES) {
      this.properties.set(type, builtInProperties(type, at));
      const group = DEFAULT_GROUPS[type];
      this.groups.set(type, new Map([[group.name, group]]));
    }
  }

  table(type: ObjectType): Map<string, CrmRecord> {
    return this.records.get(type)!;
  }

  get(type: ObjectType, id: string): CrmRecord | undefined {
    const record = this.table(type).get(id);
    return record && !record.archived ? record : undefined;
  }

  allocateId(type: ObjectType): string {
    const id = this.nextId.get(type)!;
    this.nextId.set(type, id + 1);
    return String(id);
  }

  propertyDefs(type: ObjectType): Map<string, PropertyDef> {
    return this.properties.get(type)!;
  }

  /** Adds the association and, as HubSpot does, its inverse. */
  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number) {
    const def = ASSOCIATION_TYPES.get(typeId);
    if (!def) throw new Error(`unknown association type ${typeId}`);
    this.addEdge(fromType, fromId, toType, toId, typeId);
    this.addEdge(toType, toId, fromType, fromId, def.inverse);
  }

  associations(fromType: ObjectType, fromId: string, toType: ObjectType): Map<string, Set<number>> {
    return this.edges.get(`${fromType}:${fromId}:${toType}`) ?? new Map();
  }

  private addEdge(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number) {
    const key = `${fromType}:${fromId}:${toType}`;
    let targets = this.edges.get(key);
    if (!targets) this.edges.set(key, (targets = new Map()));
    let types = targets.get(toId);
    if (!types) targets.set(toId, (types = new Set()));
    types.add(typeId);
  }

  toJSON(): SerializedState {
    const associations: SerializedState['associations'] = [];
    for (const [key, targets] of this.edges) {
      const [fromType, fromId, toType] = key.split(':') as [ObjectType, string, ObjectType];
      for (const [toId, types] of targets) {
        // Inverses are rebuilt on load; store each pair once, from its forward type.
        for (const typeId of types) {
          if (typeId < ASSOCIATION_TYPES.get(typeId)!.inverse)
            associations.push([fromType, fromId, toType, toId, typeId]);
        }
      }
    }
    return {
      version: 1,
      records: Object.fromEntries(
        OBJECT_TYPES.map((t) => [t, [...this.table(t).values()]]),
      ) as SerializedState['records'],
      properties: Object.fromEntries(
        OBJECT_TYPES.map((t) => [t, [...this.propertyDefs(t).values()]]),
      ) as SerializedState['properties'],
      groups: Object.fromEntries(
        OBJECT_TYPES.map((t) => [t, [...this.groups.get(t)!.values()]]),
      ) as SerializedState['groups'],
      nextId: Object.fromEntries(this.nextId) as Record<ObjectType, number>,
      owners: this.owners,
      lists: this.lists,
      associations,
      subscriptions: this.subscriptions.toJSON(),
    };
  }

  static fromJSON(data: SerializedState): SandboxState {
    const state = new SandboxState();
    for (const type of OBJECT_TYPES) {
      state.records.set(type, new Map((data.records[type] ?? []).map((r) => [r.id, r])));
      const props = state.propertyDefs(type);
      for (const p of data.properties[type] ?? []) props.set(p.name, p);
      const groups = state.groups.get(type)!;
      for (const g of data.groups[type] ?? []) groups.set(g.name, g);
      if (data.nextId[type]) state.nextId.set(type, data.nextId[type]);
    }
    state.owners = data.owners;
    state.lists = data.lists;
    state.subscriptions = SubscriptionBook.fromJSON(data.subscriptions);
    for (const [fromType, fromId, toType, toId, typeId] of data.associations) {
      state.associate(fromType, fromId, toType, toId, typeId);
    }
    return state;
  }
}

export interface SerializedState {
  version: 1;
  records: Record<ObjectType, CrmRecord[]>;
  properties: Record<ObjectType, PropertyDef[]>;
  groups: Record<ObjectType, PropertyGroupDef[]>;
  nextId: Record<ObjectType, number>;
  owners: OwnerRecord[];
  lists: ListRecord[];
  associations: [ObjectType, string, ObjectType, string, number][];
  /** Absent in files written before the sandbox kept subscriptions. */
  subscriptions?: SerializedSubscriptions;
}
