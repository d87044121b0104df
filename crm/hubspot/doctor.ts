import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate.js';
import { CrmError } from '../port.js';
import { createContext, type AdapterContext, type HubSpotCrmOptions } from './context.js';
import type { PortalObjectType, PropertySpec } from './portal-schema.js';
import { REQUIRED_SCOPES } from './required-scopes.js';
import { IDEMPOTENCY_KEY, PROPERTY_GROUP } from './schema.js';

export type FindingStatus = 'ok' | 'missing' | 'wrong';

/** One line of the doctor's table. */
export interface Finding {
  check: 'token' | 'scope' | 'property' | 'lists' | 'search lag';
  subject: string;
  status: FindingStatus;
  detail: string;
  /** What to do about it (empty when OK). */
  fix: string;
}

export interface PortalToolsOptions extends Pick<HubSpotCrmOptions, 'accessToken' | 'basePath' | 'logger' | 'budget'> {
  /** Longest wait for a new record to show in search (default 60 s). */
  lagTimeoutMs?: number;
}

const problem = (error: unknown) =>
  error instanceof CrmError ? `${error.status ? `HTTP ${error.status}: ` : ''}${error.message}` : String(error);

/** Setup and doctor on one portal through the adapter's client and budget. */
export function portalTools(options: PortalToolsOptions) {
  const ctx: AdapterContext = createContext({ ...options, rateLimitPerTenSeconds: 100 }, []);
  const { client } = ctx;
  const definitions = new Map<PortalObjectType, Promise<Map<string, { type: string }>>>();

  const propertiesOf = (objectType: PortalObjectType, fresh = false) => {
    let defs = fresh ? undefined : definitions.get(objectType);
    if (!defs) {
      defs = ctx
        .call('standard', () => client.crm.properties.coreApi.getAll(objectType))
        .then((r) => new Map(r.results.map((p) => [p.name, { type: String(p.type) }])));
      defs.catch(() => definitions.delete(objectType));
      definitions.set(objectType, defs);
    }
    return defs;
  };

  async function tokenScopes(): Promise<{ scopes: string[]; hubId?: number } | { error: string }> {
    const res = await ctx.call('standard', async () => {
      const answer = await client.apiRequest({
        method: 'POST',
        path: '/oauth/v2/private-apps/get/access-token-info',
        body: { tokenKey: options.accessToken },
      });
      return { status: answer.status, body: (await answer.json().catch(() => ({}))) as Record<string, unknown> };
    });
    if (res.status !== 200 || !Array.isArray(res.body.scopes)) {
      const message = typeof res.body.message === 'string' ? res.body.message : 'no scopes in the answer';
      return { error: `HTTP ${res.status}: ${message}` };
    }
    return { scopes: res.body.scopes.map(String), hubId: Number(res.body.hubId) || undefined };
  }

  async function checkScopes(): Promise<Finding[]> {
    const info = await tokenScopes().catch((error: unknown) => ({ error: problem(error) }));
    if ('error' in info) {
      return [
        {
          check: 'token',
          subject: 'HUBSPOT_ACCESS_TOKEN',
          status: 'wrong',
          detail: `the access-token info endpoint refused it (${info.error})`,
          fix: "copy the private app's current access token into HUBSPOT_ACCESS_TOKEN",
        },
      ];
    }
    const held = new Set(info.scopes);
    return REQUIRED_SCOPES.map(({ scope, purpose }) =>
      held.has(scope)
        ? { check: 'scope', subject: scope, status: 'ok', detail: purpose, fix: '' }
        : {
            check: 'scope',
            subject: scope,
            status: 'missing',
            detail: `needed for: ${purpose}`,
            fix: `add ${scope} to the private app's scopes, then use the token it shows`,
          },
    );
  }

  async function checkProperty(spec: PropertySpec): Promise<Finding> {
    const subject = `${spec.objectType}.${spec.name}`;
    let defs: Map<string, { type: string }>;
    try {
      defs = await propertiesOf(spec.objectType);
    } catch (error) {
      return {
        check: 'property',
        subject,
        status: 'wrong',
        detail: `could not read ${spec.objectType} properties (${problem(error)})`,
        fix: 'grant crm.schemas.contacts.read (see the scope lines)',
      };
    }
    const def = defs.get(spec.name);
    const variable = spec.env ? ` (${spec.env})` : '';
    if (!def) {
      return {
        check: 'property',
        subject,
        status: 'missing',
        detail: `${spec.why}${variable}; ${
          spec.why.startsWith('read')
            ? 'HubSpot ignores unknown names: it would read as empty'
            : 'writes to it fail until it exists'
        }`,
        fix:
          spec.owner === 'setup'
            ? 'npm run hubspot:setup'
            : `set ${spec.env} to the property that holds it, or create ${spec.name} (type ${spec.accepts.join(' or ')})`,
      };
    }
    if (!spec.accepts.includes(def.type as PropertySpec['type'])) {
      return {
        check: 'property',
        subject,
        status: 'wrong',
        detail: `type ${def.type}, Rapport reads ${spec.accepts.join(' or ')}${variable}`,
        fix: spec.env
          ? `set ${spec.env} to a property of type ${spec.accepts.join(' or ')}`
          : `change ${spec.name} to type ${spec.type} in HubSpot (Settings > Properties)`,
      };
    }
    return { check: 'property', subject, status: 'ok', detail: `${def.type}; ${spec.why}${variable}`, fix: '' };
  }

  async function checkLists(): Promise<Finding> {
    try {
      const page = await ctx.call('standard', () =>
        client.crm.lists.listsApi.doSearch({ query: '', offset: 0, count: 1 }),
      );
      return {
        check: 'lists',
        subject: 'lists (segments)',
        status: 'ok',
        detail: `readable (${page.total ?? page.lists.length} lists)`,
        fix: '',
      };
    } catch (error) {
      return {
        check: 'lists',
        subject: 'lists (segments)',
        status: 'wrong',
        detail: `not readable: ${problem(error)}`,
        fix: 'add crm.lists.read to the private app',
      };
    }
  }

  /**
   * How long a new note takes to show in search: what a retry of an uncertain create must wait
   * out before it looks for its own key. The note has no associations and is archived at once.
   */
  async function measureSearchLag(timeoutMs = options.lagTimeoutMs ?? 60_000): Promise<Finding> {
    const subject = 'search index lag (notes)';
    const defs = await propertiesOf('notes').catch(() => new Map<string, { type: string }>());
    if (!defs.has(IDEMPOTENCY_KEY)) {
      return {
        check: 'search lag',
        subject,
        status: 'missing',
        detail: `not measured: notes.${IDEMPOTENCY_KEY} does not exist`,
        fix: 'npm run hubspot:setup',
      };
    }
    const key = `rapport-doctor-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    let id: string;
    try {
      const note = await ctx.call('standard', () =>
        client.crm.objects.notes.basicApi.create({
          properties: {
            hs_timestamp: new Date().toISOString(),
            hs_note_body: 'Rapport doctor: search index check (archived at once)',
            [IDEMPOTENCY_KEY]: key,
          },
          associations: [],
        }),
      );
      id = note.id;
    } catch (error) {
      return {
        check: 'search lag',
        subject,
        status: 'wrong',
        detail: `could not create a note: ${problem(error)}`,
        fix: 'grant crm.objects.contacts.write (notes are gated by it)',
      };
    }
    const started = Date.now();
    let seen = false;
    try {
      while (!seen && Date.now() - started < timeoutMs) {
        const page = await ctx.call('search', () =>
          client.crm.objects.searchApi.doSearch('notes', {
            filterGroups: [
              { filters: [{ propertyName: IDEMPOTENCY_KEY, operator: 'EQ' as FilterOperatorEnum, value: key }] },
            ],
            properties: [IDEMPOTENCY_KEY],
            limit: 1,
          }),
        );
        seen = page.results.some((r) => r.id === id);
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await ctx.call('standard', () => client.crm.objects.notes.basicApi.archive(id)).catch(() => undefined);
    }
    const lagMs = Date.now() - started;
    return seen
      ? {
          check: 'search lag',
          subject,
          status: 'ok',
          detail: `a new note was searchable after ${(lagMs / 1000).toFixed(1)} s (removed again)`,
          fix: '',
        }
      : {
          check: 'search lag',
          subject,
          status: 'wrong',
          detail: `a new note was still not searchable after ${Math.round(timeoutMs / 1000)} s`,
          fix: "HubSpot's search index is behind; rerun doctor later before relying on retries",
        };
  }

  /** Every check, in the table's order. */
  async function doctor(specs: PropertySpec[], opts: { measureLag?: boolean } = {}): Promise<Finding[]> {
    const findings = await checkScopes();
    if (findings.some((f) => f.check === 'token')) return findings;
    for (const spec of specs) findings.push(await checkProperty(spec));
    findings.push(await checkLists());
    if (opts.measureLag ?? true) findings.push(await measureSearchLag());
    return findings;
  }

  /**
   * Creates Rapport's property group and every property it owns that is missing, with its type and
   * options; a property that already exists is left as it is. Safe to run again.
   */
  async function setup(specs: PropertySpec[]): Promise<{ created: string[]; present: string[] }> {
    const created: string[] = [];
    const present: string[] = [];
    const ours = specs.filter((s) => s.owner === 'setup');
    const types = [...new Set(ours.map((s) => s.objectType))];
    for (const objectType of types) {
      const defs = await propertiesOf(objectType, true);
      const missing = ours.filter((s) => s.objectType === objectType && !defs.has(s.name));
      present.push(
        ...ours.filter((s) => s.objectType === objectType && defs.has(s.name)).map((s) => `${objectType}.${s.name}`),
      );
      if (missing.length === 0) continue;
      await ctx
        .call('standard', () => client.crm.properties.groupsApi.create(objectType, { ...PROPERTY_GROUP }))
        .catch(alreadyThere);
      for (const spec of missing) {
        const made = await ctx
          .call('standard', () =>
            client.crm.properties.coreApi.create(objectType, {
              name: spec.name,
              label: spec.label,
              type: spec.type as PropertyCreateTypeEnum,
              fieldType: spec.fieldType as PropertyCreateFieldTypeEnum,
              groupName: PROPERTY_GROUP.name,
              ...(spec.options
                ? {
                    options: spec.options.map((value, displayOrder) => ({
                      label: value,
                      value,
                      displayOrder,
                      hidden: false,
                    })),
                  }
                : {}),
            }),
          )
          .then(() => true)
          .catch(alreadyThere);
        (made ? created : present).push(`${objectType}.${spec.name}`);
      }
      definitions.delete(objectType);
    }
    return { created, present };
  }

  return { doctor, setup, checkScopes, checkProperty, checkLists, measureSearchLag };
}

/** Another process (or an earlier run) created it first: that is the outcome wanted. */
function alreadyThere(error: unknown): false {
  if (error instanceof CrmError && error.code === 'CRM_CONFLICT') return false;
  throw error;
}
