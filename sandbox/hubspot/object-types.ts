export const OBJECT_TYPES = ['contacts', 'companies', 'notes', 'calls', 'emails', 'meetings', 'tasks'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const ENGAGEMENT_TYPES = ['notes', 'calls', 'emails', 'meetings', 'tasks'] as const satisfies ObjectType[];

export const OBJECT_TYPE_IDS: Record<ObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  notes: '0-46',
  calls: '0-48',
  emails: '0-49',
  meetings: '0-47',
  tasks: '0-27',
};

const SINGULAR: Record<ObjectType, string> = {
  contacts: 'contact',
  companies: 'company',
  notes: 'note',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  tasks: 'task',
};

/** HubSpot accepts plural names, singular names and object type ids in paths. */
export function resolveObjectType(name: string): ObjectType | undefined {
  const lower = name.toLowerCase();
  return OBJECT_TYPES.find((t) => t === lower || SINGULAR[t] === lower || OBJECT_TYPE_IDS[t] === lower);
}

export function singular(type: ObjectType): string {
  return SINGULAR[type];
}

export interface AssociationTypeDef {
  id: number;
  from: ObjectType;
  to: ObjectType;
  /** v4 label (Primary for the primary company), null when unlabeled. */
  label: string | null;
  /** The type name the v3 GET ?associations= response shows. */
  name: string;
  inverse: number;
}

/** HUBSPOT_DEFINED association type ids, as in @hubspot/api-client's AssociationTypes enum. */
const PAIRS: [ObjectType, ObjectType, number, number, string | null][] = [
  ['contacts', 'companies', 1, 2, 'Primary'],
  ['contacts', 'companies', 279, 280, null],
  ['notes', 'contacts', 202, 201, null],
  ['notes', 'companies', 190, 189, null],
  ['calls', 'contacts', 194, 193, null],
  ['calls', 'companies', 182, 181, null],
  ['emails', 'contacts', 198, 197, null],
  ['emails', 'companies', 186, 185, null],
  ['meetings', 'contacts', 200, 199, null],
  ['meetings', 'companies', 188, 187, null],
  ['tasks', 'contacts', 204, 203, null],
  ['tasks', 'companies', 192, 191, null],
];

export const ASSOCIATION_TYPES = new Map<number, AssociationTypeDef>();
for (const [from, to, forward, backward, label] of PAIRS) {
  const suffix = forward === 279 ? '_unlabeled' : '';
  ASSOCIATION_TYPES.set(forward, {
    id: forward,
    from,
    to,
    label,
    name: `${SINGULAR[from]}_to_${SINGULAR[to]}${suffix}`,
    inverse: backward,
  });
  ASSOCIATION_TYPES.set(backward, {
    id: backward,
    from: to,
    to: from,
    label,
    name: `${SINGULAR[to]}_to_${SINGULAR[from]}${suffix}`,
    inverse: forward,
  });
}

/** The default (unlabeled) association type between two object types. */
export function defaultAssociationType(from: ObjectType, to: ObjectType): number | undefined {
  for (const def of ASSOCIATION_TYPES.values()) {
    if (def.from === from && def.to === to && def.label === null) return def.id;
  }
  return undefined;
}
