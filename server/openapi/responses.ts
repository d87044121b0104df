import type { ZodType } from 'zod';
import { errorBodySchema } from '../../contracts/index.js';

/** A JSON answer in a route's `responses`. */
export const json = <T extends ZodType>(description: string, schema: T) =>
  ({ description, content: { 'application/json': { schema } } }) as const;

export const HTML_CONTENT = { 'text/html': { schema: { type: 'string' as const } } } as const;
export const ERROR_CONTENT = { 'application/json': { schema: errorBodySchema } } as const;

/** A server-rendered page (the pages behind signed links). */
export const html = (description: string) => ({ description, content: HTML_CONTENT }) as const;

const ERRORS = {
  400: 'The input is not valid: `field` names it.',
  401: 'No valid credential was sent.',
  403: 'The credential does not allow this.',
  404: 'Nothing has this id.',
  409: 'The request conflicts with the current state.',
  410: 'It is too late for this.',
  422: 'The contact is not in the CRM.',
  429: 'Too many requests from this client to this public route: try again after Retry-After.',
  500: 'Something went wrong on our side: quote the requestId.',
  503: 'A dependency (the CRM, the sign-in keys) is not answering: try again after Retry-After.',
} as const;
type ErrorStatus = keyof typeof ERRORS;
type ErrorResponses<S extends ErrorStatus> = { [K in S]: { description: string; content: typeof ERROR_CONTENT } };

/** The error answers a route may give, each with Rapport's error body; every route may answer 500 and 503. */
export function errors<S extends ErrorStatus = never>(...statuses: S[]): ErrorResponses<NoInfer<S> | 500 | 503> {
  const all = [...new Set<ErrorStatus>([...statuses, 500, 503])];
  return Object.fromEntries(all.map((s) => [s, { description: ERRORS[s], content: ERROR_CONTENT }])) as ErrorResponses<
    S | 500 | 503
  >;
}
