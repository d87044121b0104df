import { z } from 'zod';
import { addDays, canonicalTimeZone, wallTimeAt, zonedTimeToInstant } from './audience/time-zone.js';
import { text } from './text.js';
import { channelSchema, type Channel } from './vocabulary/index.js';

/**
 * The topic catalogue: what alerts are about, in the customers' words. An alert names a topic of
 * the catalogue; the topic says which channels it takes by default, when it is announced to go
 * out, and whether approvers may send one of its alerts at once (urgent). The words live here once:
 * the store, the API, the Slack modal and the docs take them from this module.
 */

/** Lower case letters, digits and hyphens or underscores inside: the key per-topic settings use. */
export const TOPIC_ID = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;

/**
 * A topic id as an alert or the API names it: trimmed and lower-cased (the same key as the topic
 * caps of ALERT_FREQUENCY_CAP and HUBSPOT_SUBSCRIPTION_TYPES), then held to {@link TOPIC_ID}.
 */
export const topicIdSchema = z
  .string({ message: 'topic must be a topic id' })
  .transform((v) => v.trim().toLowerCase())
  .pipe(
    z.string().regex(TOPIC_ID, {
      message: 'a topic id is 1-64 lower-case letters, digits, - or _ (e.g. rates, fx-daily)',
    }),
  );

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Mondays',
  tue: 'Tuesdays',
  wed: 'Wednesdays',
  thu: 'Thursdays',
  fri: 'Fridays',
  sat: 'Saturdays',
  sun: 'Sundays',
};

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'time must be HH:MM (24-hour), e.g. 08:30' });

/**
 * When a topic's alerts are announced to go out, in each contact's own time zone. Null: as it
 * happens (the moment the alert is approved, quiet hours aside).
 */
export const topicScheduleSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('daily'), time }),
      z.strictObject({ kind: z.literal('weekdays'), time }),
      z.strictObject({
        kind: z.literal('weekly'),
        day: z.enum(WEEKDAYS, { message: `day must be one of ${WEEKDAYS.join(', ')}` }),
        time,
      }),
    ],
    { message: 'schedule.kind must be daily, weekdays or weekly (or schedule null: as it happens)' },
  )
  .nullable();
export type TopicSchedule = z.output<typeof topicScheduleSchema>;

const defaultChannels = z
  .array(channelSchema)
  .min(1, { message: 'defaultChannels must name at least one channel' })
  .refine((a) => new Set(a).size === a.length, { message: 'defaultChannels must not repeat a channel' });

/** PUT /api/topics/:id: everything but the id (from the path). */
export const topicInputSchema = z.strictObject({
  name: text('name', { max: 80, min: 1 }),
  /** What customers read about the topic (the preference centre, unsubscribe pages). */
  description: text('description', { max: 500 }).default(''),
  defaultChannels: defaultChannels.default(['email']),
  schedule: topicScheduleSchema.default(null),
  /** Approvers may mark an alert of this topic urgent: sent at once, not at the announced slot. */
  urgentAllowed: z.boolean({ message: 'urgentAllowed must be true or false' }).default(false),
});
export type TopicInput = z.input<typeof topicInputSchema>;

export interface Topic {
  id: string;
  name: string;
  description: string;
  defaultChannels: Channel[];
  schedule: TopicSchedule;
  urgentAllowed: boolean;
  /** Archived topics stay for the alerts that named them; new alerts cannot name them. */
  archived: boolean;
  updatedAt: string;
}

/** A topic as stored and served: the id checked with the rest. */
export const topicSchema = topicInputSchema.extend({ id: topicIdSchema });
export type TopicDefinition = z.output<typeof topicSchema>;

/** "weekdays 08:30 in your time zone", "Mondays 07:00 in your time zone", "as it happens". */
export function describeSchedule(schedule: TopicSchedule): string {
  if (schedule === null) return 'as it happens';
  const when =
    schedule.kind === 'daily'
      ? `daily ${schedule.time}`
      : schedule.kind === 'weekdays'
        ? `weekdays ${schedule.time}`
        : `${WEEKDAY_NAMES[schedule.day]} ${schedule.time}`;
  return `${when} in your time zone`;
}

/** ISO weekday of a wall date: 0 = Monday ... 6 = Sunday. */
function weekdayIndex(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

function matchesDay(schedule: NonNullable<TopicSchedule>, weekday: number): boolean {
  if (schedule.kind === 'daily') return true;
  if (schedule.kind === 'weekdays') return weekday < 5;
  return WEEKDAYS[weekday] === schedule.day;
}

/**
 * The next announced slot at or after `now` in `timeZone`, as an instant; null for "as it
 * happens". DST as Temporal's 'compatible': a slot inside a spring-forward gap moves later by the
 * gap, a slot in a repeated hour takes its first occurrence. `now` is passed in (never read from a
 * clock) so a workflow replay gets the same answer.
 */
export function nextSlot(schedule: TopicSchedule, timeZone: string, now: Date): Date | null {
  if (schedule === null) return null;
  const zone = canonicalTimeZone(timeZone);
  if (zone === null) throw new RangeError(`"${timeZone}" is not an IANA time zone`);
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const today = wallTimeAt(now.getTime(), zone);
  // A week and a day covers every schedule, whatever day it is today.
  for (let d = 0; d <= 8; d += 1) {
    const date = addDays(today, d);
    if (!matchesDay(schedule, weekdayIndex(date.year, date.month, date.day))) continue;
    const at = zonedTimeToInstant({ ...date, hour, minute, second: 0 }, zone);
    if (at >= now.getTime()) return new Date(at);
  }
  /* c8 ignore next: unreachable, every schedule has a day within the week */
  throw new Error('no slot within 8 days');
}
