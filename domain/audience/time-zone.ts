/**
 * Time-zone arithmetic on top of Intl.DateTimeFormat, so it needs no time-zone library and
 * stays pure: every function takes the instant it works on.
 */

// Building a formatter costs far more than using one; audiences repeat the same few zones.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

// Both bounded by the number of distinct zone values in the CRM (a few hundred at most).
const contactZones = new Map<string, string | null>();
const canonicalNames = new Map<string, string | null>();

/** Canonical IANA name (Intl matches names case-insensitively), or null when unknown. */
export function canonicalTimeZone(zone: string): string | null {
  const trimmed = zone.trim();
  if (trimmed === '') return null;
  let canonical = canonicalNames.get(trimmed);
  if (canonical === undefined) {
    // resolvedOptions() builds a fresh object every call; too slow to repeat per recipient.
    canonical = formatter(trimmed)?.resolvedOptions().timeZone ?? null;
    canonicalNames.set(trimmed, canonical);
  }
  return canonical;
}

/**
 * Reads a contact's time zone. HubSpot's hs_timezone encodes IANA names as
 * 'america_slash_new_york' / 'america_slash_port_hyphen_au_hyphen_prince'; plain IANA names are
 * accepted too. Unknown values give null so the caller can apply its default.
 */
export function parseContactTimeZone(value: string | null | undefined): string | null {
  if (!value) return null;
  let zone = contactZones.get(value);
  if (zone === undefined) {
    zone = canonicalTimeZone(
      value
        .trim()
        .replace(/_slash_/gi, '/')
        .replace(/_hyphen_/gi, '-'),
    );
    contactZones.set(value, zone);
  }
  return zone;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTimeAt(epochMs: number, zone: string): WallTime {
  const f = formatter(zone);
  if (!f) throw new RangeError(`unknown time zone ${zone}`);
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(epochMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

function wallAsUtc(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Offset of local time from UTC at an instant, in ms (whole seconds; Intl gives no finer). */
export function offsetAt(epochMs: number, zone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtc(wallTimeAt(whole, zone)) - whole;
}

const DAY = 86_400_000;

/**
 * Every instant at which a wall-clock time happens in a zone: one normally, two when fall-back
 * repeats it, none when spring-forward skips it. Assumes no two transitions within a day of
 * each other, which holds for every zone in the IANA database.
 */
export function possibleInstants(wall: WallTime, zone: string): number[] {
  const local = wallAsUtc(wall);
  const offsets = new Set([offsetAt(local - DAY, zone), offsetAt(local + DAY, zone)]);
  return [...offsets]
    .map((offset) => local - offset)
    .filter((t) => wallAsUtc(wallTimeAt(t, zone)) === local)
    .sort((a, b) => a - b);
}

/**
 * The instant a wall-clock time happens in a zone, resolving DST like Temporal's 'compatible'
 * disambiguation: a skipped time moves later by the gap, a repeated time takes the earlier one.
 */
export function zonedTimeToInstant(wall: WallTime, zone: string): number {
  const [earliest] = possibleInstants(wall, zone);
  if (earliest !== undefined) return earliest;
  const local = wallAsUtc(wall);
  return local - offsetAt(local - DAY, zone);
}

/** Calendar arithmetic on a wall date, independent of any zone. */
export function addDays(wall: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
