import type { ObjectType } from './object-types.js';
import type { PropertyDef } from './property-catalog.js';
import type { CrmRecord, SandboxState } from './state.js';

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string | number | boolean;
  highValue?: string | number;
  values?: (string | number)[];
}

export interface SearchFilterGroup {
  filters: SearchFilter[];
}

export const SEARCH_LIMITS = {
  maxLimit: 200,
  maxResults: 10_000,
  maxGroups: 5,
  maxFiltersPerGroup: 10,
  maxFilters: 25,
};

/** Fields the free-text `query` looks at, per HubSpot's default searchable properties. */
const QUERY_FIELDS: Record<ObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'hs_additional_emails', 'phone', 'mobilephone', 'company'],
  companies: ['name', 'domain', 'website', 'phone'],
  notes: ['hs_note_body'],
  calls: ['hs_call_title', 'hs_call_body'],
  emails: ['hs_email_subject', 'hs_email_text'],
  meetings: ['hs_meeting_title', 'hs_meeting_body'],
  tasks: ['hs_task_subject', 'hs_task_body'],
};

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

/** Returns a problem description, or undefined when the filters are acceptable. */
export function checkFilterGroups(groups: SearchFilterGroup[], defs: Map<string, PropertyDef>): string | undefined {
  if (groups.length > SEARCH_LIMITS.maxGroups)
    return `Too many filter groups: ${groups.length}. Maximum is ${SEARCH_LIMITS.maxGroups}.`;
  let total = 0;
  for (const group of groups) {
    const filters = group.filters ?? [];
    total += filters.length;
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      return `Too many filters in a group: ${filters.length}. Maximum is ${SEARCH_LIMITS.maxFiltersPerGroup}.`;
    }
    for (const f of filters) {
      if (!OPERATORS.has(f.operator)) return `Invalid operator ${String(f.operator)} for property ${f.propertyName}`;
      if (!f.propertyName.startsWith('associations.') && !defs.has(f.propertyName)) {
        return `Property "${f.propertyName}" does not exist`;
      }
      if ((f.operator === 'IN' || f.operator === 'NOT_IN') && !Array.isArray(f.values)) {
        return `Filter on ${f.propertyName} with operator ${f.operator} needs "values"`;
      }
    }
  }
  if (total > SEARCH_LIMITS.maxFilters) return `Too many filters: ${total}. Maximum is ${SEARCH_LIMITS.maxFilters}.`;
  return undefined;
}

function toTime(value: string | number | boolean | undefined, now: number): number {
  if (value === undefined) return NaN;
  const s = String(value).trim();
  const relative = /^now([+-]\d+)d$/i.exec(s);
  if (relative) return now + Number(relative[1]) * 86_400_000;
  return /^-?\d+$/.test(s) ? Number(s) : Date.parse(s);
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._+-]+/u)
    .filter(Boolean);
}

function wildcardMatch(token: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(token);
}

interface EvalContext {
  type: ObjectType;
  defs: Map<string, PropertyDef>;
  state: SandboxState;
  now: number;
}

function compare(
  def: PropertyDef | undefined,
  stored: string,
  value: string | number | boolean | undefined,
  now: number,
): number {
  if (def?.type === 'number') return Number(stored) - Number(value);
  if (def?.type === 'date' || def?.type === 'datetime') return toTime(stored, now) - toTime(value, now);
  return stored.toLowerCase().localeCompare(String(value).toLowerCase());
}

function matchesFilter(record: CrmRecord, f: SearchFilter, ctx: EvalContext): boolean {
  if (f.propertyName.startsWith('associations.')) {
    const target = f.propertyName.slice('associations.'.length);
    const toType = target === 'contact' ? 'contacts' : target === 'company' ? 'companies' : undefined;
    if (!toType) return false;
    const ids = [...ctx.state.associations(ctx.type, record.id, toType).keys()];
    if (f.operator === 'IN') return (f.values ?? []).some((v) => ids.includes(String(v)));
    return ids.includes(String(f.value));
  }
  const def = ctx.defs.get(f.propertyName);
  const stored = record.properties[f.propertyName];
  const has = stored !== undefined && stored !== '';
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return has && compare(def, stored, f.value, ctx.now) === 0;
    case 'NEQ':
      return !has || compare(def, stored, f.value, ctx.now) !== 0;
    case 'LT':
      return has && compare(def, stored, f.value, ctx.now) < 0;
    case 'LTE':
      return has && compare(def, stored, f.value, ctx.now) <= 0;
    case 'GT':
      return has && compare(def, stored, f.value, ctx.now) > 0;
    case 'GTE':
      return has && compare(def, stored, f.value, ctx.now) >= 0;
    case 'BETWEEN':
      return has && compare(def, stored, f.value, ctx.now) >= 0 && compare(def, stored, f.highValue, ctx.now) <= 0;
    // HubSpot indexes strings in lower case and compares IN values as given: upper-case values never match.
    case 'IN':
      return (
        has &&
        (f.values ?? []).some((v) =>
          def?.type === 'number' ? Number(v) === Number(stored) : String(v) === stored.toLowerCase(),
        )
      );
    case 'NOT_IN':
      return !has || !(f.values ?? []).some((v) => String(v) === stored.toLowerCase());
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = String(f.value ?? '').toLowerCase();
      const found =
        has && (tokens(stored).some((t) => wildcardMatch(t, pattern)) || wildcardMatch(stored.toLowerCase(), pattern));
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
    default:
      return false;
  }
}

export function matchesGroups(record: CrmRecord, groups: SearchFilterGroup[], ctx: EvalContext): boolean {
  if (groups.length === 0) return true;
  return groups.some((g) => (g.filters ?? []).every((f) => matchesFilter(record, f, ctx)));
}

function matchesQuery(record: CrmRecord, type: ObjectType, query: string): boolean {
  const words = tokens(query);
  if (words.length === 0) return true;
  const fields = QUERY_FIELDS[type].map((p) => record.properties[p] ?? '').filter(Boolean);
  const haystack = fields.flatMap((f) => [f.toLowerCase(), ...tokens(f), ...f.toLowerCase().split(/[@._\s-]+/)]);
  return words.every((w) => haystack.some((h) => h.startsWith(w)));
}

export interface SearchRequest {
  filterGroups?: SearchFilterGroup[];
  sorts?: (string | { propertyName: string; direction?: string })[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string | number;
}

/** Matching records in result order (before paging). */
export function runSearch(
  state: SandboxState,
  type: ObjectType,
  request: SearchRequest,
  now: number,
  /** The record as the search index has it (older values while it lags), or undefined while not yet indexed. */
  indexed: (record: CrmRecord) => CrmRecord | undefined = (record) => record,
) {
  const defs = state.propertyDefs(type);
  const ctx: EvalContext = { type, defs, state, now };
  const groups = request.filterGroups ?? [];
  const matches: CrmRecord[] = [];
  for (const stored of state.table(type).values()) {
    if (stored.archived) continue;
    // HubSpot's search index trails writes; the sandbox imitates that (realism.searchLagMs).
    const record = indexed(stored);
    if (!record) continue;
    if (!matchesGroups(record, groups, ctx)) continue;
    if (request.query && !matchesQuery(record, type, request.query)) continue;
    matches.push(record);
  }
  const sort = request.sorts?.[0];
  if (sort) {
    const propertyName = typeof sort === 'string' ? sort.replace(/^-/, '') : sort.propertyName;
    const descending = typeof sort === 'string' ? sort.startsWith('-') : sort.direction === 'DESCENDING';
    const def = defs.get(propertyName);
    matches.sort((a, b) => {
      const av = a.properties[propertyName];
      const bv = b.properties[propertyName];
      if (av === undefined || bv === undefined) return av === bv ? 0 : av === undefined ? 1 : -1;
      const order = compare(def, av, bv, now) || Number(a.id) - Number(b.id);
      return descending ? -order : order;
    });
  }
  return matches;
}
