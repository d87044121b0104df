import type { z } from 'zod';
import { DomainError } from '../errors.js';

/**
 * Parses input from outside with one of the audience schemas; failures become a VALIDATION
 * DomainError naming the first field at fault, which routes already turn into a 400.
 */
export function parseAudienceInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid input';
  throw new DomainError('VALIDATION', message, field);
}
