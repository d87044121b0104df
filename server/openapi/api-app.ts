import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { validationBody } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';

/**
 * A hono app whose routes are declared with createRoute: validated by their contract schemas
 * and listed in the OpenAPI document. A request that fails validation gets Rapport's 400 body:
 * the first wrong field named, every issue listed.
 */
export function apiApp<E extends Env = AppEnv>() {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationBody(result.error), 400);
    },
  });
}
