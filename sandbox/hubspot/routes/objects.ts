import { Hono, type Context } from 'hono';
import {
  SandboxHttpError,
  intParam,
  jsonBody,
  listParam,
  objectTypeParam,
  page,
  type SandboxContext,
} from '../context.js';
import { hubspotError, propertyError, type PropertyIssue } from '../errors.js';
import { ENGAGEMENT_TYPES, resolveObjectType, type ObjectType } from '../object-types.js';
import {
  checkAssociation,
  contactByEmail,
  createRecord,
  findRecord,
  present,
  updateRecord,
  type AssociationInput,
} from '../records.js';
import { SEARCH_LIMITS, checkFilterGroups, runSearch, type SearchRequest } from '../search.js';
import type { CrmRecord, SandboxState } from '../state.js';
import { bump } from '../stats.js';
import { validateWrite } from '../validation.js';

const BATCH_LIMIT = 100;

interface CreateInput {
  properties?: Record<string, unknown>;
  associations?: AssociationInput[];
  /** Names the input in the answer; all inputs carrying one opt the batch into 207 partial results. */
  objectWriteTraceId?: string;
}

/**
 * The records are stored, and then the answer never arrives (realism.lostCreateResponseRate): the
 * connection drops as a load balancer's timeout or a network cut would drop it.
 */
function loseResponse(c: Context) {
  (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket?.destroy();
  return c.body(null, 502);
}

function checkBatchSize(inputs: unknown): asserts inputs is unknown[] {
  if (!Array.isArray(inputs)) throw new SandboxHttpError(400, 'VALIDATION_ERROR', 'inputs must be an array');
  if (inputs.length > BATCH_LIMIT) {
    throw new SandboxHttpError(
      400,
      'VALIDATION_ERROR',
      `Batch input of ${inputs.length} exceeds the limit of ${BATCH_LIMIT} inputs`,
    );
  }
}

function associationTypesParam(c: Context): ObjectType[] {
  return listParam(c, 'associations')
    .map((name) => resolveObjectType(name))
    .filter((t): t is ObjectType => t !== undefined);
}

/** Validates one create input; returns either the ready write or the problems. */
function prepareCreate(state: SandboxState, type: ObjectType, input: CreateInput, pendingEmails: Set<string>) {
  const { properties, issues } = validateWrite(state, type, input.properties, 'create');
  const associations: { toType: ObjectType; toId: string; typeIds: number[] }[] = [];
  let conflict: string | undefined;
  for (const a of input.associations ?? []) {
    const checked = checkAssociation(state, type, a);
    if ('error' in checked) issues.push({ name: 'associations', error: 'INVALID_ASSOCIATION', message: checked.error });
    else associations.push(checked);
  }
  if (type === 'contacts' && properties.email) {
    const email = properties.email.toLowerCase();
    const existing = contactByEmail(state, email);
    if (existing) conflict = `Contact already exists. Existing ID: ${existing.id}`;
    else if (pendingEmails.has(email)) conflict = `Duplicate email in batch input: ${email}`;
    pendingEmails.add(email);
  }
  return { properties, associations, issues, conflict };
}

function countCreated(ctx: SandboxContext, type: ObjectType, n: number) {
  if (!(ENGAGEMENT_TYPES as readonly ObjectType[]).includes(type)) return;
  ctx.stats.engagementsCreated += n;
  bump(ctx.stats.engagementsCreatedByType, type, n);
}

function prepareUpdate(
  state: SandboxState,
  type: ObjectType,
  record: CrmRecord,
  input: Record<string, unknown> | undefined,
) {
  const { properties, issues } = validateWrite(state, type, input, 'update');
  let conflict: string | undefined;
  if (type === 'contacts' && properties.email) {
    const existing = contactByEmail(state, properties.email, record.id);
    if (existing) conflict = `Contact already exists. Existing ID: ${existing.id}`;
  }
  return { properties, issues, conflict };
}

function notFound(c: Context, type: ObjectType, id: string) {
  return hubspotError(c, 404, 'OBJECT_NOT_FOUND', `resource not found: no ${type} with id ${id}`, {
    context: { id: [id] },
  });
}

function batchEnvelope(started: string, results: unknown[], missing: string[], type: ObjectType) {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: started,
    completedAt: new Date().toISOString(),
  };
  if (missing.length > 0) {
    body.numErrors = 1;
    body.errors = [
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
        context: { ids: missing },
      },
    ];
  }
  return body;
}

export function objectRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });
  const iso = () => new Date(ctx.now()).toISOString();

  app.post('/crm/v3/objects/:objectType/search', async (c) => {
    const type = objectTypeParam(c);
    const request = await jsonBody<SearchRequest>(c);
    const limit = request.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_LIMITS.maxLimit) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `limit must be between 0 and ${SEARCH_LIMITS.maxLimit}; got ${limit}`,
      );
    }
    const after = request.after === undefined || request.after === '' ? 0 : Number(request.after);
    if (!Number.isInteger(after) || after < 0)
      return hubspotError(c, 400, 'VALIDATION_ERROR', `Invalid after: ${request.after}`);
    if (after + limit > SEARCH_LIMITS.maxResults) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `The search API returns at most ${SEARCH_LIMITS.maxResults} results; after=${after} is beyond that`,
      );
    }
    const problem = checkFilterGroups(request.filterGroups ?? [], ctx.state.propertyDefs(type));
    if (problem) return hubspotError(c, 400, 'VALIDATION_ERROR', problem);
    const now = ctx.now();
    const lag = ctx.realism.searchLagMs;
    const matches = runSearch(ctx.state, type, request, now, (record) => {
      if (lag <= 0) return record;
      if (Date.parse(record.createdAt) > now - lag) return undefined;
      const properties = ctx.updateLag.indexed(type, record.id, record.properties, now);
      return properties === record.properties ? record : { ...record, properties };
    });
    const slice = matches.slice(after, after + limit);
    const next = after + limit < Math.min(matches.length, SEARCH_LIMITS.maxResults) ? String(after + limit) : undefined;
    return c.json({
      total: matches.length,
      results: slice.map((r) => present(ctx.state, type, r, request.properties)),
      ...(next ? { paging: { next: { after: next } } } : {}),
    });
  });

  app.post('/crm/v3/objects/:objectType/batch/read', async (c) => {
    const type = objectTypeParam(c);
    const started = iso();
    const body = await jsonBody<{ inputs?: { id?: string }[]; properties?: string[]; idProperty?: string }>(c);
    checkBatchSize(body.inputs);
    const idProperty = body.idProperty && body.idProperty !== 'hs_object_id' ? body.idProperty : undefined;
    if (idProperty && !ctx.state.propertyDefs(type).has(idProperty)) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Property "${idProperty}" does not exist or is not a unique identifier`,
      );
    }
    const results: unknown[] = [];
    const seen = new Set<string>();
    const missing: string[] = [];
    for (const input of body.inputs) {
      const id = String(input.id ?? '');
      const record = findRecord(ctx.state, type, id, idProperty);
      if (!record) missing.push(id);
      else if (!seen.has(record.id)) {
        seen.add(record.id);
        const props = idProperty ? [...(body.properties ?? []), idProperty] : body.properties;
        results.push(present(ctx.state, type, record, props));
      }
    }
    return c.json(batchEnvelope(started, results, missing, type), missing.length > 0 ? 207 : 200);
  });

  app.post('/crm/v3/objects/:objectType/batch/create', async (c) => {
    const type = objectTypeParam(c);
    const started = iso();
    const body = await jsonBody<{ inputs?: CreateInput[] }>(c);
    checkBatchSize(body.inputs);
    const emails = new Set<string>();
    const prepared = body.inputs.map((input) => prepareCreate(ctx.state, type, input, emails));
    // Multi-status is HubSpot's opt-in: every input names itself with an objectWriteTraceId.
    const traced = body.inputs.length > 0 && body.inputs.every((i) => typeof i.objectWriteTraceId === 'string');
    // Without it HubSpot validates the whole batch first: one bad input and nothing is created.
    const issues: PropertyIssue[] = prepared.flatMap((p) => p.issues);
    if (issues.length > 0 && !traced) return propertyError(c, issues);
    const conflict = prepared.find((p) => p.conflict)?.conflict;
    if (conflict && !traced) return hubspotError(c, 409, 'CONFLICT', conflict);
    const at = iso();
    const created: { record: CrmRecord; traceId?: string }[] = [];
    const errors: Record<string, unknown>[] = [];
    prepared.forEach((p, i) => {
      const traceId = body.inputs![i]!.objectWriteTraceId;
      const context = { objectWriteTraceId: [traceId ?? ''] };
      if (p.issues.length > 0 || p.conflict) {
        const message = p.conflict ?? `Property values were not valid: ${JSON.stringify(p.issues)}`;
        errors.push({ status: 'error', category: p.conflict ? 'CONFLICT' : 'VALIDATION_ERROR', message, context });
      } else if (traced && ctx.realism.failsInBatch()) {
        errors.push({
          status: 'error',
          category: 'INTERNAL_ERROR',
          message: 'The object could not be created; it may be retried',
          context,
        });
      } else {
        created.push({ record: createRecord(ctx.state, type, p.properties, p.associations, at), traceId });
      }
    });
    countCreated(ctx, type, created.length);
    if (created.length > 0) ctx.changed();
    if (created.length > 0 && ctx.realism.losesCreateResponse()) return loseResponse(c);
    // HubSpot does not promise input order in batch results; clients must match on a property or trace id.
    const results = created.reverse().map(({ record, traceId }) => ({
      ...present(ctx.state, type, record, Object.keys(record.properties)),
      ...(traceId !== undefined ? { objectWriteTraceId: traceId } : {}),
    }));
    if (errors.length === 0)
      return c.json({ status: 'COMPLETE', results, startedAt: started, completedAt: iso() }, 201);
    return c.json(
      { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt: started, completedAt: iso() },
      207,
    );
  });

  app.post('/crm/v3/objects/:objectType/batch/update', async (c) => {
    const type = objectTypeParam(c);
    const started = iso();
    const body = await jsonBody<{
      inputs?: { id?: string; properties?: Record<string, unknown>; idProperty?: string }[];
    }>(c);
    checkBatchSize(body.inputs);
    const ids = body.inputs.map((i) => String(i.id ?? ''));
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length > 0) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Duplicate IDs found in batch input: [${[...new Set(duplicates)].join(', ')}]. IDs must be unique`,
      );
    }
    const missing: string[] = [];
    const writes: { record: CrmRecord; properties: Record<string, string> }[] = [];
    const issues: PropertyIssue[] = [];
    for (const input of body.inputs) {
      const record = findRecord(ctx.state, type, String(input.id ?? ''), input.idProperty);
      if (!record) {
        missing.push(String(input.id ?? ''));
        continue;
      }
      const prepared = prepareUpdate(ctx.state, type, record, input.properties);
      if (prepared.conflict) return hubspotError(c, 409, 'CONFLICT', prepared.conflict);
      issues.push(...prepared.issues);
      writes.push({ record, properties: prepared.properties });
    }
    if (issues.length > 0) return propertyError(c, issues);
    const at = iso();
    for (const w of writes) {
      ctx.updateLag.remember(type, w.record.id, w.record.properties, ctx.now(), ctx.realism.searchLagMs);
      updateRecord(type, w.record, w.properties, at);
    }
    if (writes.length > 0) ctx.changed();
    const results = writes.map((w) => present(ctx.state, type, w.record, Object.keys(w.properties)));
    return c.json(batchEnvelope(started, results, missing, type), missing.length > 0 ? 207 : 200);
  });

  app.post('/crm/v3/objects/:objectType/batch/archive', async (c) => {
    const type = objectTypeParam(c);
    const body = await jsonBody<{ inputs?: { id?: string }[] }>(c);
    checkBatchSize(body.inputs);
    for (const input of body.inputs) {
      const record = ctx.state.get(type, String(input.id ?? ''));
      if (record) record.archived = true;
    }
    ctx.changed();
    return c.body(null, 204);
  });

  app.get('/crm/v3/objects/:objectType', (c) => {
    const type = objectTypeParam(c);
    const limit = intParam(c, 'limit', 10, 100);
    const all = [...ctx.state.table(type).values()].filter((r) => !r.archived);
    const { results, paging } = page(all, c.req.query('after'), limit);
    const props = listParam(c, 'properties');
    const assoc = associationTypesParam(c);
    return c.json({
      results: results.map((r) => present(ctx.state, type, r, props, assoc)),
      ...(paging ? { paging } : {}),
    });
  });

  app.post('/crm/v3/objects/:objectType', async (c) => {
    const type = objectTypeParam(c);
    const input = await jsonBody<CreateInput>(c);
    const prepared = prepareCreate(ctx.state, type, input, new Set());
    if (prepared.issues.length > 0) return propertyError(c, prepared.issues);
    if (prepared.conflict) return hubspotError(c, 409, 'CONFLICT', prepared.conflict);
    const record = createRecord(ctx.state, type, prepared.properties, prepared.associations, iso());
    countCreated(ctx, type, 1);
    ctx.changed();
    if (ctx.realism.losesCreateResponse()) return loseResponse(c);
    return c.json(present(ctx.state, type, record, Object.keys(record.properties)), 201);
  });

  app.get('/crm/v3/objects/:objectType/:id', (c) => {
    const type = objectTypeParam(c);
    // hono has already percent-decoded the path parameter.
    const id = c.req.param('id');
    const record = findRecord(ctx.state, type, id, c.req.query('idProperty'));
    if (!record) return notFound(c, type, id);
    return c.json(present(ctx.state, type, record, listParam(c, 'properties'), associationTypesParam(c)));
  });

  app.patch('/crm/v3/objects/:objectType/:id', async (c) => {
    const type = objectTypeParam(c);
    // hono has already percent-decoded the path parameter.
    const id = c.req.param('id');
    const record = findRecord(ctx.state, type, id, c.req.query('idProperty'));
    if (!record) return notFound(c, type, id);
    const input = await jsonBody<{ properties?: Record<string, unknown> }>(c);
    const prepared = prepareUpdate(ctx.state, type, record, input.properties);
    if (prepared.issues.length > 0) return propertyError(c, prepared.issues);
    if (prepared.conflict) return hubspotError(c, 409, 'CONFLICT', prepared.conflict);
    ctx.updateLag.remember(type, record.id, record.properties, ctx.now(), ctx.realism.searchLagMs);
    updateRecord(type, record, prepared.properties, iso());
    ctx.changed();
    return c.json(present(ctx.state, type, record, Object.keys(prepared.properties)));
  });

  app.delete('/crm/v3/objects/:objectType/:id', (c) => {
    const type = objectTypeParam(c);
    const record = ctx.state.get(type, c.req.param('id'));
    if (record) {
      record.archived = true;
      ctx.changed();
    }
    return c.body(null, 204);
  });

  return app;
}
