import { z } from 'zod';
import { ERROR_CODES } from './vocabulary.js';

/** One wrong input field: its dotted path (or `(body)`) and what is wrong with it. */
export const fieldIssueSchema = z.strictObject({ field: z.string(), message: z.string() });

/**
 * Every 4xx and 5xx JSON answer. `field` names the input at fault when there is one; a 400 from
 * validation lists every issue, the first one also in `message` and `field`.
 */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      field: z.string().optional(),
      issues: z.array(fieldIssueSchema).optional(),
    }),
    /** Only on a 500: quote it when reporting the problem. */
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error', description: 'What went wrong; `field` names the input at fault.' });

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type ErrorCode = ErrorBody['error']['code'];
