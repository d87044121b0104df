import { Hono } from 'hono';
import { jsonBody, objectTypeParam, type SandboxContext } from '../context.js';
import { hubspotError } from '../errors.js';
import { makeProperty, type PropertyDef, type PropertyType } from '../property-catalog.js';

const TYPES: PropertyType[] = ['string', 'number', 'date', 'datetime', 'enumeration', 'bool'];
const NAME = /^[a-z][a-z0-9_]*$/;

function present(p: PropertyDef) {
  return {
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    groupName: p.groupName,
    description: p.description,
    options: p.options,
    displayOrder: -1,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: p.hasUniqueValue,
    hidden: false,
    hubspotDefined: p.hubspotDefined,
    formField: !p.hubspotDefined,
    modificationMetadata: {
      archivable: !p.hubspotDefined,
      readOnlyDefinition: p.hubspotDefined,
      readOnlyValue: p.readOnlyValue,
    },
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    archived: false,
  };
}

/** Property definitions and groups. Custom properties must exist before records can hold them. */
export function propertyRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });

  app.get('/crm/v3/properties/:objectType/groups', (c) => {
    const type = objectTypeParam(c);
    return c.json({ results: [...ctx.state.groups.get(type)!.values()].map((g) => ({ ...g, archived: false })) });
  });

  app.post('/crm/v3/properties/:objectType/groups', async (c) => {
    const type = objectTypeParam(c);
    const body = await jsonBody<{ name?: string; label?: string; displayOrder?: number }>(c);
    if (!body.name || !NAME.test(body.name) || !body.label) {
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'A property group needs a lower-case name and a label');
    }
    const groups = ctx.state.groups.get(type)!;
    if (groups.has(body.name)) {
      return hubspotError(c, 409, 'OBJECT_ALREADY_EXISTS', `A property group named '${body.name}' already exists.`);
    }
    const group = { name: body.name, label: body.label, displayOrder: body.displayOrder ?? -1 };
    groups.set(group.name, group);
    ctx.changed();
    return c.json({ ...group, archived: false }, 201);
  });

  app.get('/crm/v3/properties/:objectType', (c) => {
    const type = objectTypeParam(c);
    return c.json({ results: [...ctx.state.propertyDefs(type).values()].map(present) });
  });

  app.get('/crm/v3/properties/:objectType/:propertyName', (c) => {
    const type = objectTypeParam(c);
    const def = ctx.state.propertyDefs(type).get(c.req.param('propertyName'));
    if (!def) return hubspotError(c, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${c.req.param('propertyName')}`);
    return c.json(present(def));
  });

  app.post('/crm/v3/properties/:objectType', async (c) => {
    const type = objectTypeParam(c);
    const body = await jsonBody<{
      name?: string;
      label?: string;
      type?: PropertyType;
      fieldType?: string;
      groupName?: string;
      options?: { label: string; value: string }[];
    }>(c);
    const missing = (['name', 'label', 'type', 'fieldType', 'groupName'] as const).filter((k) => !body[k]);
    if (missing.length > 0)
      return hubspotError(c, 400, 'VALIDATION_ERROR', `Missing required fields: ${missing.join(', ')}`);
    if (!NAME.test(body.name!)) {
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Property name ${body.name} must start with a lower-case letter and hold only a-z, 0-9 and _`,
      );
    }
    if (!TYPES.includes(body.type!))
      return hubspotError(c, 400, 'VALIDATION_ERROR', `Unknown property type ${body.type}`);
    if (!ctx.state.groups.get(type)!.has(body.groupName!)) {
      return hubspotError(c, 400, 'VALIDATION_ERROR', `Property group ${body.groupName} does not exist`);
    }
    if (ctx.realism.refusesCustomProperties(type)) {
      // A portal (or object type) that takes no custom properties: HubSpot's 400 envelope.
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Custom properties are not supported on ${type}: ${body.name} cannot be created`,
        { errors: [{ message: 'Custom properties are not supported', code: 'INVALID_OBJECT_TYPE', in: 'objectType' }] },
      );
    }
    const defs = ctx.state.propertyDefs(type);
    if (defs.has(body.name!)) {
      return hubspotError(c, 409, 'OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`);
    }
    const def = makeProperty(
      {
        name: body.name!,
        label: body.label!,
        type: body.type!,
        fieldType: body.fieldType,
        groupName: body.groupName!,
        options: body.options?.map((o) => o.value),
      },
      new Date(ctx.now()).toISOString(),
      false,
    );
    defs.set(def.name, def);
    ctx.changed();
    return c.json(present(def), 201);
  });

  return app;
}
