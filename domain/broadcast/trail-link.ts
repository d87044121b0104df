import { derivedId, signToken } from './signed-token.js';

/** How long a link to an alert's trail page works; making it again (a later message) extends it. */
export const TRAIL_LINK_DAYS = 90;

export interface TrailLink {
  /** The store's row: bound to one alert and one person, expiring. */
  id: string;
  alertId: string;
  person: string;
  expiresAt: string;
  /** `/trail/<signed token>`: the page, for the person it was made for. */
  path: string;
}

/**
 * A link to one alert's trail page for one person (the requester, an approver, a signed-in
 * reader). Its id derives from (alert, person), so every message to that person carries the same
 * link; the signed token is the credential, as an approval link's is. The caller saves the row.
 */
export function trailLink(secret: string, alertId: string, person: string, now = Date.now()): TrailLink {
  const who = person.trim().toLowerCase();
  const id = derivedId(secret, `trail-link:${alertId}:${who}`);
  return {
    id,
    alertId,
    person: who,
    expiresAt: new Date(now + TRAIL_LINK_DAYS * 86_400_000).toISOString(),
    path: `/trail/${signToken(secret, 'trail', id)}`,
  };
}
