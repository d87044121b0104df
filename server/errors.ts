import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorBody } from '../contracts/index.js';
import { type DomainError, type ErrorCode } from '../domain/errors.js';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PERSON_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  UNKNOWN_CONTACT: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** An HTTPException carrying Rapport's error body, so onError answers every 4xx the same way. */
export function httpError(code: ErrorCode, message: string, field?: string, headers?: Record<string, string>) {
  const body: ErrorBody = { error: { code, message, ...(field ? { field } : {}) } };
  return new HTTPException(STATUS[code], {
    res: new Response(JSON.stringify(body), {
      status: STATUS[code],
      headers: { 'content-type': 'application/json', ...headers },
    }),
  });
}

export function fromDomainError(error: DomainError) {
  return httpError(error.code, error.message, error.field);
}

const fieldPath = (path: PropertyKey[]) => path.map(String).join('.') || '(body)';

export function validationBody(error: ZodError): ErrorBody {
  const issues = error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message }));
  const first = issues[0] ?? { field: '(body)', message: 'invalid input' };
  return { error: { code: 'VALIDATION', message: `${first.field}: ${first.message}`, field: first.field, issues } };
}
