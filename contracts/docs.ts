import { z } from 'zod';

/** GET /api/openapi.json: an OpenAPI 3.1 document (its full shape is the OpenAPI specification's). */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string().startsWith('3.1.'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  /** Optional in OpenAPI 3.1; Rapport's always has them. */
  paths: z.record(z.string(), z.looseObject({})).optional(),
});
