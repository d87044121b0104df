import type { CallFailure } from '../rate-budget.js';

interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function isApiException(error: unknown): error is ApiExceptionLike {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600;
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * What went wrong, from @hubspot/api-client's ApiException (status, parsed body, headers) or a
 * network error from node:http (the client sends through it when given our keep-alive agent).
 * Messages are HubSpot's own; they never carry the token.
 */
export function describeHubSpotError(error: unknown): CallFailure {
  if (isApiException(error)) {
    const body = error.body as { message?: unknown } | string | undefined;
    const message =
      typeof body === 'object' && body !== null && typeof body.message === 'string'
        ? body.message
        : typeof body === 'string' && body.trim()
          ? body.trim().slice(0, 300)
          : `HubSpot answered HTTP ${error.code}`;
    const headers = Object.fromEntries(Object.entries(error.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      status: error.code,
      message,
      retryAfterMs: retryAfterMs(headers['retry-after']),
      daily: error.code === 429 && (headers['x-hubspot-ratelimit-daily-remaining'] === '0' || /daily/i.test(message)),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `HubSpot could not be reached: ${message}` };
}
