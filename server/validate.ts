import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { validationBody } from './errors.js';

/** zValidator with Rapport's 400 body: the first wrong field named, every issue listed. */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result, c) => {
    if (!result.success) return c.json(validationBody(result.error as never), 400);
  });
