import { z } from 'zod';
import { addDays, possibleInstants, wallTimeAt, zonedTimeToInstant } from './time-zone.js';

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'quiet hours are 24-hour HH:MM times, e.g. 21:00' });

/** Local times; start > end means the window spans midnight (21:00-08:00). Equal times mean none. */
export const quietHoursSchema = z.object({ start: clock, end: clock });
export type QuietHours = z.infer<typeof quietHoursSchema>;

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * When quiet hours end for someone in `zone`, as epoch ms, if `now` falls inside them;
 * null otherwise. The end is found as a wall-clock time and converted back through the zone,
 * so a night that gains or loses an hour to DST still ends at the local end time.
 */
export function quietHoursEnd(now: Date, zone: string, quiet: QuietHours): number | null {
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return null;

  const wall = wallTimeAt(now.getTime(), zone);
  const at = wall.hour * 60 + wall.minute;
  const spansMidnight = start > end;
  const inside = spansMidnight ? at >= start || at < end : at >= start && at < end;
  if (!inside) return null;

  // Evening side of a window that spans midnight: it ends tomorrow, local calendar.
  const endDay = spansMidnight && at >= start ? addDays(wall, 1) : wall;
  const endWall = { ...endDay, hour: Math.floor(end / 60), minute: end % 60, second: 0 };
  // When fall-back repeats the end time, the first occurrence may already be behind us.
  const later = possibleInstants(endWall, zone).find((t) => t > now.getTime());
  return later ?? Math.max(zonedTimeToInstant(endWall, zone), now.getTime());
}

/**
 * The rows quiet hours hold back at `now`, each with when it may go: quiet hours are judged when
 * the alert is sent, not only when its audience was resolved (approval can take hours). A row
 * already held until later than its quiet hours end keeps its time; rows without a zone are not held.
 */
export function quietHoursDeferrals(
  rows: readonly { contactId: string; timeZone: string | null; deliverAfter: string | null }[],
  quiet: QuietHours | null,
  now: Date,
): { contactId: string; deliverAfter: string }[] {
  if (!quiet) return [];
  const endByZone = new Map<string, number | null>();
  const held: { contactId: string; deliverAfter: string }[] = [];
  for (const row of rows) {
    if (!row.timeZone) continue;
    let end = endByZone.get(row.timeZone);
    if (end === undefined) {
      end = quietHoursEnd(now, row.timeZone, quiet);
      endByZone.set(row.timeZone, end);
    }
    if (end !== null && end > (row.deliverAfter ? Date.parse(row.deliverAfter) : 0))
      held.push({ contactId: row.contactId, deliverAfter: new Date(end).toISOString() });
  }
  return held;
}
