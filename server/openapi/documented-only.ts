import { z, type ZodType } from 'zod';

/**
 * A contract schema as plain JSON Schema, for a body the route reads itself (a webhook checks
 * its signature before it reads the form; a raw MIME message): documented, not validated first.
 */
export function documentedOnly(schema: ZodType) {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  // Typed as the least the OpenAPI generator takes: it copies the object as it is.
  return jsonSchema as { type: 'object' };
}
