import { z, type ZodType } from 'zod';
import { errorBodySchema } from '../contracts/index.js';

/** The API said no (or could not be reached): exit code 1, with its message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** 0: no answer at all. */
    readonly status: number,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A body that is not JSON (a proxy's error page) stays text: it then fails the contract, naming what came. */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

export interface ApiConfig {
  url: string;
  token: string;
  fetch?: typeof fetch;
}

/** The HTTP API with an API token; every answer is parsed with its contract schema. */
export function apiClient(config: ApiConfig) {
  const base = config.url.replace(/\/+$/, '');
  const doFetch = config.fetch ?? fetch;

  async function call<T extends ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.output<T>> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${config.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ApiError(`cannot reach Rapport at ${base}: ${(error as Error).message}`, 0);
    }
    const data = parseJson(await res.text());
    if (!res.ok) {
      const failure = errorBodySchema.safeParse(data);
      if (!failure.success) throw new ApiError(`Rapport answered ${res.status}`, res.status);
      const { code, message, field } = failure.data.error;
      throw new ApiError(message, res.status, code, field);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new ApiError(
        `the answer to ${method} ${path} does not match the API contract:\n${z.prettifyError(parsed.error)}`,
        res.status,
      );
    }
    return parsed.data;
  }

  return {
    get: <T extends ZodType>(path: string, schema: T) => call('GET', path, schema),
    post: <T extends ZodType>(path: string, schema: T, body?: unknown) => call('POST', path, schema, body),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
