import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { httpError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Bearer API tokens; compared as digests in constant time so length and content do not leak. */
export function bearerAuth(tokens: string[]) {
  const allowed = tokens.map(digest);
  return createMiddleware(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw httpError('UNAUTHORIZED', 'send Authorization: Bearer <API token>', undefined, {
        'www-authenticate': 'Bearer realm="rapport"',
      });
    }
    const given = digest(match[1]);
    if (!allowed.some((t) => timingSafeEqual(t, given))) {
      throw httpError('UNAUTHORIZED', 'the API token is not valid', undefined, {
        'www-authenticate': 'Bearer realm="rapport", error="invalid_token"',
      });
    }
    await next();
  });
}
