import { preferenceLinkId } from '../preferences.js';
import { signToken } from './signed-token.js';

/** The path of the preference centre: `/p/<signed per-contact token>`. */
export const PREFERENCES_PATH = '/p';

/**
 * A contact's link to the preference centre, issued at `now`: signed per contact (purpose
 * 'preferences'), expiring by its age and revocable (domain/preferences.ts checkPreferenceLink).
 * Null for a contact id a link cannot carry: the message then goes without one.
 */
export function preferenceLink(secret: string, publicUrl: string, contactId: string, now: Date): string | null {
  let id: string;
  try {
    id = preferenceLinkId(contactId, now);
  } catch {
    return null;
  }
  return `${publicUrl.replace(/\/+$/, '')}${PREFERENCES_PATH}/${signToken(secret, 'preferences', id)}`;
}
