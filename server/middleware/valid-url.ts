import { createMiddleware } from 'hono/factory';
import { httpError } from '../errors.js';

/** True when every %-escape of `part` is complete and the bytes they spell are UTF-8. */
function decodes(part: string, decode: (s: string) => string): boolean {
  try {
    decode(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * A URL whose path or query is not valid percent-encoding (`/addin/%`, `?topic=%E0%A4%A`) is a
 * 400 before any route sees it: routes decode what they read, and a decoding error deep in one
 * would be a 500.
 */
export function validUrl() {
  return createMiddleware(async (c, next) => {
    const url = c.req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const rest = start < 0 ? '' : url.slice(start);
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const query = q < 0 ? '' : rest.slice(q + 1);
    const queryOk = query.split('&').every((pair) => decodes(pair.replaceAll('+', ' '), decodeURIComponent));
    if (!decodes(path, decodeURI) || !queryOk) {
      throw httpError('VALIDATION', 'the URL is not valid percent-encoding (UTF-8)', '(url)');
    }
    await next();
  });
}
