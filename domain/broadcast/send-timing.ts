import { nextSlot, type TopicSchedule } from '../topics.js';
import { wallTimeAt } from '../audience/time-zone.js';

/**
 * When an approved alert goes out: at its topic's next announced slot in each contact's own time
 * zone, or at once when the topic has no schedule or the approver marked the alert urgent. Pure:
 * `now` is always passed in, so the workflow's activities, the previews and the tests agree.
 */

/** What the previews need of the topic and the audience, snapshotted when the audience is resolved. */
export interface SendTiming {
  /** The topic's announced schedule; null: as it happens. */
  schedule: TopicSchedule;
  /** Approvers may mark an alert of this topic urgent (sent at once). */
  urgentAllowed: boolean;
  /** Deliveries per (canonical IANA) time zone of the contacts, those waiting for digests aside. */
  timeZones: Record<string, number>;
  /** Deliveries that wait for the contacts' daily or weekly digests (domain/digests.ts); unset: none. */
  digests?: { daily: number; weekly: number };
}

/** Time zones whose contacts share one slot instant: one timer of the workflow wakes them all. */
export interface SlotGroup {
  /** ISO instant of the slot. */
  at: string;
  /** The contacts' time zones (as the ledger holds them) whose next slot is this instant. */
  zones: string[];
}

/**
 * Groups the audience's time zones by the instant of their next slot at or after `from`: one
 * group per distinct instant (zones with the same offset share one), earliest first. The ledger
 * then holds every contact of a group with one statement, and the workflow sleeps once per group.
 * No schedule, or urgent: no group (everyone goes now).
 */
export function groupBySlot(
  zones: readonly string[],
  schedule: TopicSchedule,
  from: Date,
  options: { urgent?: boolean } = {},
): SlotGroup[] {
  if (schedule === null || options.urgent) return [];
  const byInstant = new Map<number, string[]>();
  for (const zone of new Set(zones)) {
    const at = slotOrUtc(schedule, zone, from);
    let group = byInstant.get(at);
    if (!group) byInstant.set(at, (group = []));
    group.push(zone);
  }
  return [...byInstant.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, zs]) => ({ at: new Date(at).toISOString(), zones: zs }));
}

/** A zone the runtime does not know (the ledger keeps what the CRM said) takes UTC's slot, never an error mid-dispatch. */
function slotOrUtc(schedule: NonNullable<TopicSchedule>, zone: string, from: Date): number {
  try {
    return nextSlot(schedule, zone, from)!.getTime();
  } catch {
    return nextSlot(schedule, 'UTC', from)!.getTime();
  }
}

const DAY = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const count = (n: number) => n.toLocaleString('en-US');

/** "Tue 8 Dec" of a wall date. */
function dayWords(year: number, month: number, day: number): string {
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return `${DAY[weekday]!} ${day} ${MONTH[month - 1]!}`;
}

export interface TimingLine {
  /** How many deliveries this part covers. */
  count: number;
  /** "at 08:30 local time on Tue 8 Dec", or "now". */
  when: string;
}

/**
 * The preview's parts: deliveries per local slot (the wall time and day each contact sees), or
 * everyone "now" when the topic has no schedule or the alert is urgent.
 */
export function timingLines(timing: SendTiming, now: Date, urgent = false): TimingLine[] {
  const total = Object.values(timing.timeZones).reduce((a, b) => a + b, 0);
  if (timing.schedule === null || urgent) return total > 0 ? [{ count: total, when: 'now' }] : [];
  const schedule = timing.schedule;
  const byLocal = new Map<string, TimingLine & { at: number }>();
  for (const [zone, n] of Object.entries(timing.timeZones)) {
    if (n <= 0) continue;
    let at: number;
    let wallZone = zone;
    try {
      at = nextSlot(schedule, zone, now)!.getTime();
    } catch {
      wallZone = 'UTC';
      at = nextSlot(schedule, 'UTC', now)!.getTime();
    }
    const wall = wallTimeAt(at, wallZone);
    const hhmm = `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;
    const when = `at ${hhmm} local time on ${dayWords(wall.year, wall.month, wall.day)}`;
    const line = byLocal.get(when);
    if (line) {
      line.count += n;
      line.at = Math.min(line.at, at);
    } else byLocal.set(when, { count: n, when, at });
  }
  return [...byLocal.values()].sort((a, b) => a.at - b.at).map(({ count: c, when }) => ({ count: c, when }));
}

/**
 * The words every approval surface shows, e.g. "1,204 at 08:30 local time on Tue 8 Dec, 12 at
 * 08:30 local time on Wed 9 Dec", "1,216 now (urgent)", "1,216 now (as it happens)". When the
 * approver may still mark it urgent (not `decided`), the alternative is said too: "...; or all 1,216 now if marked urgent".
 */
export function sendTimingWords(timing: SendTiming, now: Date, urgent = false, decided = false): string {
  const daily = timing.digests?.daily ?? 0;
  const weekly = timing.digests?.weekly ?? 0;
  // Urgent sends everyone at once, digest contacts too: their rows join the others.
  if (urgent && daily + weekly > 0) {
    const zones = { ...timing.timeZones, UTC: (timing.timeZones.UTC ?? 0) + daily + weekly };
    return sendTimingWords({ ...timing, timeZones: zones, digests: { daily: 0, weekly: 0 } }, now, urgent, decided);
  }
  const digestWords = [
    ...(daily > 0 ? [`${count(daily)} in their daily digest`] : []),
    ...(weekly > 0 ? [`${count(weekly)} in their weekly digest`] : []),
  ];
  const lines = timingLines(timing, now, urgent);
  if (lines.length === 0)
    return digestWords.length > 0 ? `${digestWords.join(', ')} (their choice)` : 'nobody to send to';
  const why = urgent && timing.schedule !== null ? ' (urgent)' : timing.schedule === null ? ' (as it happens)' : '';
  const said =
    lines.map((l) => `${count(l.count)} ${l.when}`).join(', ') +
    why +
    (digestWords.length > 0 ? `; ${digestWords.join(', ')} (their choice)` : '');
  if (decided || urgent || timing.schedule === null || !timing.urgentAllowed) return said;
  const total = lines.reduce((a, l) => a + l.count, 0) + daily + weekly;
  return `${said}; or all ${count(total)} now if marked urgent`;
}

/** Deliveries per time zone, as the summary keeps them for the previews. */
export function countTimeZones(rows: readonly { timeZone: string | null }[], fallback = 'UTC'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const zone = r.timeZone ?? fallback;
    out[zone] = (out[zone] ?? 0) + 1;
  }
  return out;
}

/** The decision's `urgent` refused when the topic does not allow it (the validator and the routes say the same). */
export function refuseUrgent(urgent: boolean | undefined, urgentAllowed: boolean): string | null {
  if (!urgent || urgentAllowed) return null;
  return "urgent: this alert's topic does not allow urgent alerts (it goes out at the topic's announced time)";
}
