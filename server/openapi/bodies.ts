import type { MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import { validationBody } from '../errors.js';

const FORM = 'application/x-www-form-urlencoded';

/** A required JSON body: an absent one is read as `{}` and fails validation naming the first missing field. */
export const jsonBody = <T extends ZodType>(schema: T) =>
  ({ required: true, content: { 'application/json': { schema } } }) as const;

/** A required form body (the pages behind signed links post these). */
export const formBody = <T extends ZodType>(schema: T) =>
  ({ required: true, content: { [FORM]: { schema } } }) as const;

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const FORM_TYPES = ['multipart/form-data', FORM];

/**
 * Route middleware for a validated body: a body sent with another media type is read as empty,
 * as hono's validators always did, so it gets the same 400 naming the first missing field
 * (@hono/zod-openapi would answer 415 instead).
 */
export function otherMediaTypeAsEmpty(kind: 'json' | 'form', schema: ZodType): MiddlewareHandler {
  return async (c, next) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = kind === 'json' ? JSON_TYPE.test(mediaType) : FORM_TYPES.includes(mediaType);
    if (!declared) {
      const parsed = schema.safeParse({});
      if (!parsed.success) return c.json(validationBody(parsed.error), 400);
    }
    await next();
  };
}
