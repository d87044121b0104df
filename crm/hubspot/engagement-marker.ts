import { IDEMPOTENCY_KEY, MAX_TEXT_LENGTH, type WritableObjectType } from './schema.js';

/**
 * The idempotency key where a portal refuses custom properties on a type: a short marker at the
 * end of the record's body, `[rapport ref <key>]`.
 *
 * Why it is stable enough to find a record again:
 * - the body is a HubSpot-defined property every portal has on every engagement type and that
 *   scopes granting engagement writes always allow, so writing it cannot be refused the way a
 *   custom property can;
 * - it is plain text (no HTML comment or attribute that HubSpot's rich-text sanitiser may drop),
 *   and it is read back exactly as written through the v3 object read;
 * - it is looked for only among the records associated with the engagement's own contact, read
 *   through the v4 associations and a batch read by id, which are not served from the search
 *   index: a record is found the moment its create committed, with no index lag;
 * - it is needed only for the minutes between an uncertain create and its retry: once the create
 *   is confirmed the ledger (PostgreSQL) holds the id, so a person editing the body later cannot
 *   cause a duplicate.
 * `objectWriteTraceId` is not a marker: HubSpot echoes it in the batch answer but does not store it.
 */
export const BODY_PROPERTY: Record<WritableObjectType, string> = {
  notes: 'hs_note_body',
  calls: 'hs_call_body',
  emails: 'hs_email_text',
  meetings: 'hs_meeting_body',
  tasks: 'hs_task_body',
};

// Not anchored to the end: should HubSpot wrap a body in markup (<p>…</p>), the marker is still found.
const MARKER = /\[rapport ref ([^\]\s<>]+)\]/;
const MARKERS = /\s*\[rapport ref [^\]\s<>]+\]/g;

export function markerFor(key: string): string {
  return `[rapport ref ${key}]`;
}

/** The properties to write without the custom key property: the key rides at the end of the body. */
export function withMarker(
  objectType: WritableObjectType,
  properties: Record<string, string>,
  key: string,
): Record<string, string> {
  const { [IDEMPOTENCY_KEY]: _dropped, ...rest } = properties;
  const body = BODY_PROPERTY[objectType];
  const marker = markerFor(key);
  const text = rest[body] ?? '';
  // The marker must survive HubSpot's length limit: the text gives way, never the marker.
  const room = MAX_TEXT_LENGTH - marker.length - 2;
  const kept = text.length > room ? `${text.slice(0, room - 1)}…` : text;
  return { ...rest, [body]: kept ? `${kept}\n\n${marker}` : marker };
}

/** The key a body's marker carries, or null. */
export function keyFromBody(text: string | null | undefined): string | null {
  const match = text ? MARKER.exec(text) : null;
  return match ? match[1]! : null;
}

/** The body as a person wrote it, without Rapport's marker. */
export function withoutMarker(text: string): string {
  return text.replace(MARKERS, '');
}
