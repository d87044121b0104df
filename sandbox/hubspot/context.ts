import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCategory } from './errors.js';
import type { SandboxAccess } from './access.js';
import type { Realism, UpdateLag } from './realism.js';
import { resolveObjectType, type ObjectType } from './object-types.js';
import type { SandboxState } from './state.js';
import type { SandboxStats } from './stats.js';

/** What every route needs; `state` is replaced on reset, so read it per request. */
export interface SandboxContext {
  state: SandboxState;
  stats: SandboxStats;
  now(): number;
  /** Standing differences from an ideal portal: search lag, 207 partial creates, lost answers, refused properties. */
  realism: Realism;
  /** What search still shows of recently updated records (realism.searchLagMs). */
  updateLag: UpdateLag;
  /** Something changed: persist soon. */
  changed(): void;
  /** Every API request, when the sandbox was asked to keep them (tests that look at timing per caller). */
  requestLog?: SandboxRequest[];
  /** Scope gating and opaque cursors (access.ts). */
  access: SandboxAccess;
}

/** One API request as the sandbox saw it. */
export interface SandboxRequest {
  /** When it arrived (ms since the epoch). */
  at: number;
  /** `METHOD /path` with ids as :id (stats.byRoute's key). */
  route: string;
  status: number;
}

/** Thrown by routes; the app turns it into HubSpot's error envelope. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly category: ErrorCategory,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function jsonBody<T>(c: Context): Promise<T> {
  try {
    return (await c.req.json()) as T;
  } catch {
    throw new SandboxHttpError(
      400,
      'VALIDATION_ERROR',
      'Invalid input JSON on line 1: the request body is not valid JSON',
    );
  }
}

/** HubSpot takes list parameters both repeated (`a=1&a=2`) and comma-separated (`a=1,2`). */
export function listParam(c: Context, name: string): string[] {
  return (c.req.queries(name) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function objectTypeParam(c: Context, name = 'objectType'): ObjectType {
  const raw = c.req.param(name) ?? '';
  const type = resolveObjectType(raw);
  if (!type) throw new SandboxHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${raw}`);
  return type;
}

export function intParam(c: Context, name: string, fallback: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new SandboxHttpError(400, 'VALIDATION_ERROR', `${name} must be a positive integer`);
  return Math.min(n, max);
}

/** Cursor paging over an in-memory array: `after` is the offset as a string. */
export function page<T>(items: T[], after: string | undefined, limit: number) {
  const start = after ? Number(after) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new SandboxHttpError(400, 'VALIDATION_ERROR', `Invalid paging cursor: ${after}`);
  const results = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : undefined;
  return { results, paging: next ? { next: { after: next, link: `?after=${next}` } } : undefined };
}
