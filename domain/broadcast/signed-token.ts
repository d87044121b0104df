import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens: `<id>.<mac>`, where the id names a row in the store (a delivery, an approval
 * link or a trail link) and the MAC binds it to one purpose. A forged or altered token fails before any lookup;
 * binding, expiry and single use are the store's job. Short enough for `reply+<token>@domain`.
 */
export type TokenPurpose = 'approval' | 'response' | 'reply' | 'unsubscribe' | 'bounce' | 'trail' | 'preferences';

const ID = /^[A-Za-z0-9_-]{8,40}$/;
const MAC_BYTES = 16;

function mac(secret: string, purpose: TokenPurpose, id: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${id}`).digest().subarray(0, MAC_BYTES);
}

export function signToken(secret: string, purpose: TokenPurpose, id: string): string {
  if (!ID.test(id)) throw new RangeError('token ids are 8-40 URL-safe characters');
  return `${id}.${mac(secret, purpose, id).toString('base64url')}`;
}

/**
 * The id inside a token, or null when the token is malformed or its MAC is wrong for this purpose.
 * The MAC is compared as it is spelled, byte for byte with the one canonical spelling: a lenient
 * base64 decode would take several spellings of one MAC (padding, the other alphabet, the unused
 * low bits of the last character, characters it skips), so a link could be altered and still work.
 */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): string | null {
  const dot = token.indexOf('.');
  if (dot < 0 || token.length > 80) return null;
  const id = token.slice(0, dot);
  if (!ID.test(id)) return null;
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(mac(secret, purpose, id).toString('base64url'), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

/** A row id derived from what the row is about (22 URL-safe characters): the same thing, the same id, the same link. */
export function derivedId(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest('base64url').slice(0, 22);
}
