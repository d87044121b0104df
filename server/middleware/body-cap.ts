import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { httpError } from '../errors.js';

export interface BodyCaps {
  /** Bytes any request body may have unless a path below says otherwise. */
  defaultBytes: number;
  /** Paths (exact) with a cap of their own; null: the route reads and caps its body itself. */
  byPath: Record<string, number | null>;
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1024)} KB`;

/**
 * Every request body is read under a byte cap before anything parses it, whatever route it is
 * for (routes keep their own, tighter caps). A declared Content-Length over the cap is refused
 * before a byte is read; a chunked body is counted as it streams and refused once past it.
 * Answered 400 with the field `(body)`, like the routes' own caps.
 */
export function bodyCap(caps: BodyCaps) {
  const limits = new Map<number, ReturnType<typeof bodyLimit>>();
  const limitOf = (bytes: number) => {
    let limit = limits.get(bytes);
    if (!limit) {
      limit = bodyLimit({
        maxSize: bytes,
        onError: () => {
          throw httpError('VALIDATION', `request body is larger than ${size(bytes)}`, '(body)');
        },
      });
      limits.set(bytes, limit);
    }
    return limit;
  };
  return createMiddleware(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const own = Object.hasOwn(caps.byPath, c.req.path) ? caps.byPath[c.req.path] : undefined;
    if (own === null) return next();
    return limitOf(own ?? caps.defaultBytes)(c, next);
  });
}
