import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCategory =
  | 'VALIDATION_ERROR'
  | 'OBJECT_NOT_FOUND'
  | 'OBJECT_ALREADY_EXISTS'
  | 'CONFLICT'
  | 'INVALID_AUTHENTICATION'
  | 'RATE_LIMITS'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'LOCKED';

export function errorBody(category: ErrorCategory, message: string, extra: Record<string, unknown> = {}) {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

/** HubSpot's error envelope: {status:'error', message, correlationId, category}. */
export function hubspotError(
  c: Context,
  status: ContentfulStatusCode,
  category: ErrorCategory,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return c.json(errorBody(category, message, extra), status);
}

export interface PropertyIssue {
  name: string;
  error: string;
  message: string;
}

/** The 400 HubSpot sends when property values are invalid; the message names each property. */
export function propertyError(c: Context, issues: PropertyIssue[]) {
  const details = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
  }));
  return hubspotError(c, 400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(details)}`, {
    errors: issues.map((i) => ({ message: i.message, code: i.error, context: { propertyName: [i.name] } })),
  });
}
