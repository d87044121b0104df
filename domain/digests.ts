import type { QuietHours } from './audience/quiet-hours.js';
import { addDays, canonicalTimeZone, wallTimeAt, zonedTimeToInstant } from './audience/time-zone.js';
import { stricterQuietHoursEnd, type DeliveryMode } from './preferences.js';
import { nextSlot, type TopicSchedule } from './topics.js';
import type { Channel } from './vocabulary/index.js';

/**
 * Customer digests: a contact who chose a daily or weekly digest for a topic gets that topic's
 * alerts in one message per slot instead of one message per alert. Pure rules: when a contact's
 * digest goes out, which of their waiting rows it carries, on which channel, and whether their
 * quiet hours hold it. `now` is always passed in, so activities, previews and tests agree.
 *
 * - daily: each of the topic's announced slots (a weekdays schedule: each weekday's) in the contact's zone;
 * - weekly: the first announced slot of each week (Monday to Sunday, the contact's calendar): a
 *   "weekdays 08:30" topic's weekly digest goes on Mondays at 08:30, a "Mondays 07:00" topic's on Mondays at 07:00;
 * - a topic without schedule (as it happens) has its digests at {@link UNSCHEDULED_DIGEST_TIME} local time.
 */

export type DigestMode = Exclude<DeliveryMode, 'immediate'>;

/** When digests of a topic without announced schedule go out, in the contact's zone. */
export const UNSCHEDULED_DIGEST_TIME = '08:00';

/** The schedule a topic's digests follow: its announced one, or daily at {@link UNSCHEDULED_DIGEST_TIME}. */
export function digestSchedule(schedule: TopicSchedule): NonNullable<TopicSchedule> {
  return schedule ?? { kind: 'daily', time: UNSCHEDULED_DIGEST_TIME };
}

/** ISO weekday of a wall date: 0 = Monday ... 6 = Sunday. */
const weekday = (w: { year: number; month: number; day: number }) =>
  (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;

/** The first announced slot of the week (Monday 00:00 local onwards) that holds `at`. */
function firstSlotOfWeek(schedule: NonNullable<TopicSchedule>, zone: string, at: number): number {
  const wall = wallTimeAt(at, zone);
  const monday = addDays(wall, -weekday(wall));
  const start = zonedTimeToInstant({ ...monday, hour: 0, minute: 0, second: 0 }, zone);
  return nextSlot(schedule, zone, new Date(start))!.getTime();
}

/**
 * The instant of the contact's next digest of this mode at or after `from`: daily, the topic's
 * next slot; weekly, the next slot that is the first of its week. An unknown zone takes UTC's.
 */
export function digestSlot(mode: DigestMode, schedule: TopicSchedule, zone: string, from: Date): Date {
  const sched = digestSchedule(schedule);
  const z = canonicalTimeZone(zone) ?? 'UTC';
  let at = nextSlot(sched, z, from)!.getTime();
  if (mode === 'daily') return new Date(at);
  // Every schedule has a slot each week: within two weeks' worth of slots one is the week's first.
  for (let i = 0; i < 16; i += 1) {
    if (firstSlotOfWeek(sched, z, at) === at) return new Date(at);
    at = nextSlot(sched, z, new Date(at + 60_000))!.getTime();
  }
  /* c8 ignore next: unreachable, each week has a first slot */
  throw new Error('no weekly digest slot within two weeks');
}

/** Contacts of one mode and zone share one digest instant: one statement holds them, one run sends them. */
export interface DigestSlotGroup {
  at: string;
  mode: DigestMode;
  zones: string[];
}

/** The (mode, zone) pairs of an alert's digest rows grouped by their digest instant, earliest first. */
export function groupDigestSlots(
  pairs: readonly { mode: DigestMode; zone: string }[],
  schedule: TopicSchedule,
  from: Date,
): DigestSlotGroup[] {
  const groups = new Map<string, DigestSlotGroup>();
  for (const { mode, zone } of pairs) {
    const at = digestSlot(mode, schedule, zone, from).toISOString();
    const key = `${mode} ${at}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { at, mode, zones: [] }));
    if (!g.zones.includes(zone)) g.zones.push(zone);
  }
  return [...groups.values()].sort((a, b) => a.at.localeCompare(b.at) || a.mode.localeCompare(b.mode));
}

/** One ledger row waiting for a digest, as the digest run reads it. */
export interface DigestRow {
  alertId: string;
  contactId: string;
  status: string;
  /** The digest that carries it; null: in none yet. */
  digestId: number | null;
  digestAt: string | null;
  channel: Channel;
  address: string;
  /** When the alert was approved: the digest lists alerts in that order. */
  approvedAt: string | null;
}

/**
 * The rows a digest at `slotAt` carries: every row still waiting ('digest'), in no digest yet,
 * due by the slot: alerts of every digest topic since the contact's last digest, a row that
 * missed an earlier digest included (never lost). Oldest alert first, one row per alert.
 */
export function rowsForDigest<R extends DigestRow>(rows: readonly R[], slotAt: Date): R[] {
  const seen = new Set<string>();
  return rows
    .filter(
      (r) =>
        r.status === 'digest' &&
        r.digestId === null &&
        r.digestAt !== null &&
        Date.parse(r.digestAt) <= slotAt.getTime(),
    )
    .sort((a, b) => (a.approvedAt ?? '').localeCompare(b.approvedAt ?? '') || a.alertId.localeCompare(b.alertId))
    .filter((r) => (seen.has(r.alertId) ? false : (seen.add(r.alertId), true)));
}

/**
 * Where a contact's digest goes: by email when any of its rows is an email (the full digest), else
 * on the newest row's channel (Slack DM or text: a short digest). One message per contact per slot.
 */
export function digestChannel<R extends Pick<DigestRow, 'channel' | 'address'>>(
  rows: readonly R[],
): { channel: Channel; address: string } | null {
  const email = rows.find((r) => r.channel === 'email');
  const pick = email ?? rows[rows.length - 1];
  return pick ? { channel: pick.channel, address: pick.address } : null;
}

/**
 * Quiet hours judged again when a digest (or any send) is due: the organisation's and the
 * customer's own, the stricter wins. The instant the message may go, or null when it may go now.
 */
export function quietHoldUntil(
  now: Date,
  zone: string | null,
  organisation: QuietHours | null,
  customer: QuietHours | null,
): string | null {
  if (!zone || (!organisation && !customer)) return null;
  const z = canonicalTimeZone(zone);
  if (z === null) return null;
  const end = stricterQuietHoursEnd(now, z, organisation, customer);
  return end === null ? null : new Date(end).toISOString();
}

/** The words of a short digest (Slack DM, text): the count and the titles, within `max` characters. */
export function shortDigestText(titles: readonly string[], max = 600): { title: string; body: string } {
  const title = titles.length === 1 ? 'Your digest: 1 update' : `Your digest: ${titles.length} updates`;
  const lines: string[] = [];
  let used = 0;
  for (const [i, t] of titles.entries()) {
    const line = `- ${t.replace(/\s+/g, ' ').trim()}`;
    if (used + line.length + 1 > max) {
      lines.push(`- and ${titles.length - i} more`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return { title, body: lines.join('\n') };
}
