import { createHmac } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { SandboxHttpError, jsonBody, type SandboxContext } from './context.js';
import { missingScopesBody, requiredScopes, SANDBOX_SCOPES } from './scopes.js';

/**
 * Access switches that make the sandbox answer as a real portal would where that is inconvenient
 * (realism.ts has the write-side ones): a token without every scope, list cursors a client cannot compute. Tests set them through
 * startHubSpotSandbox's options, HubSpotSandbox.access or POST /__sandbox/access.
 */
export interface SandboxAccess {
  /** The token's scopes; null: every scope the sandbox knows (SANDBOX_SCOPES). */
  scopes: Set<string> | null;
  /** Membership pages carry opaque `after` cursors (as HubSpot's do) instead of offsets. */
  opaqueCursors: boolean;
}

export function createAccess(options: { scopes?: readonly string[]; opaqueCursors?: boolean }): SandboxAccess {
  return {
    scopes: options.scopes ? new Set(options.scopes) : null,
    opaqueCursors: options.opaqueCursors ?? true,
  };
}

export const grantedScopes = (access: SandboxAccess): string[] =>
  access.scopes ? [...access.scopes].sort() : [...SANDBOX_SCOPES];

/** 403 MISSING_SCOPES when the token holds none of the scopes the route needs. */
export function scopeGate(access: () => SandboxAccess): MiddlewareHandler {
  return async (c: Context, next) => {
    const granted = access().scopes;
    const required = granted && requiredScopes(c.req.method, c.req.path);
    if (granted && required && !required.some((s) => granted.has(s))) {
      return c.json(missingScopesBody(required), 403);
    }
    await next();
  };
}

// Cursors are signed so a client cannot make one up (as it cannot on HubSpot); the key only
// has to outlive one sandbox process.
const CURSOR_KEY = `sandbox-cursor-${process.pid}-${Date.now()}`;
const sign = (text: string) => createHmac('sha256', CURSOR_KEY).update(text).digest('base64url').slice(0, 12);

/** An opaque `after` for position `offset` of list `scope`. */
export function encodeCursor(scope: string, offset: number): string {
  const body = Buffer.from(`${scope}:${offset}`).toString('base64url');
  return `${body}.${sign(body)}`;
}

/** The position an opaque cursor stands for; 400 for one the sandbox did not hand out for this list. */
export function decodeCursor(scope: string, after: string): number {
  const [body, mac] = after.split('.');
  const text = body && mac === sign(body) ? Buffer.from(body, 'base64url').toString() : '';
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || m[1] !== scope) {
    throw new SandboxHttpError(400, 'VALIDATION_ERROR', `Invalid paging cursor: ${after}`);
  }
  return Number(m[2]);
}

const accessSchema = z
  .object({
    /** The token's scopes from now on; null: every scope. */
    scopes: z.array(z.string().min(1)).nullable().optional(),
    opaqueCursors: z.boolean().optional(),
  })
  .strict();

const describe = (access: SandboxAccess) => ({
  scopes: access.scopes ? [...access.scopes].sort() : null,
  opaqueCursors: access.opaqueCursors,
});

/** GET/POST /__sandbox/access: read or change the switches over HTTP. */
export function accessControls(ctx: SandboxContext) {
  const app = new Hono({ strict: false });
  app.get('/__sandbox/access', (c) => c.json(describe(ctx.access)));
  app.post('/__sandbox/access', async (c) => {
    const body = accessSchema.parse(await jsonBody<unknown>(c));
    if (body.scopes !== undefined) ctx.access.scopes = body.scopes ? new Set(body.scopes) : null;
    if (body.opaqueCursors !== undefined) ctx.access.opaqueCursors = body.opaqueCursors;
    return c.json(describe(ctx.access));
  });
  return app;
}
