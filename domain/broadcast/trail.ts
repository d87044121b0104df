/**
 * One alert's trail, as a story in order: the request and its versions, approval requests,
 * reminders, decisions and refusals, each delivery, responses and where they were routed, tasks,
 * the summary, and resends. The steps come from the records each part already keeps (the alert,
 * the approval audit, the delivery ledger, the responses) and, for what nothing else records,
 * from the alert's events (store/alert-events.ts).
 */
export const TRAIL_STEPS = [
  'requested',
  'revised',
  'approval_requested',
  'approval_reminded',
  'decision',
  'refusal',
  'cancel',
  'requester_notified',
  'resend_requested',
  'delivery',
  'response',
  'response_routed',
  'task_created',
  'summary_sent',
  'resend_done',
] as const;
export type TrailStep = (typeof TRAIL_STEPS)[number];

/** Kinds of the alert_events rows: the steps no other record holds. */
export const ALERT_EVENT_KINDS = [
  'approval_requested',
  'approval_reminded',
  'requester_notified',
  'resend_requested',
  'response_routed',
  'task_created',
  'summary_sent',
  'resend_done',
] as const satisfies readonly TrailStep[];
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/**
 * Steps at the same instant keep the story's order (a request before its approval request, a
 * delivery before the response to it): the trail sorts by time, then by this rank.
 */
export const STEP_RANK: Readonly<Record<TrailStep, number>> = Object.fromEntries(
  TRAIL_STEPS.map((s, i) => [s, i]),
) as Record<TrailStep, number>;

/** Who acts for Rapport itself in the trail (a worker sent it, a workflow created it). */
export const SYSTEM_ACTOR = 'rapport';
/** Who acts for a customer's response (the contact id says which customer). */
export const CUSTOMER_ACTOR = 'customer';

export interface TrailEntry {
  at: string;
  step: TrailStep;
  /** A person's email, `rapport`, or `customer`. */
  actor: string;
  version: number | null;
  contactId: string | null;
  /** The channel asked for (a delivery: the contact's preferred channel). */
  channel: string | null;
  /** What came of it: a delivery's status, a decision, a response's kind, refused, ... */
  outcome: string | null;
  /** Tries of a delivery. */
  attempts: number | null;
  /** The channel that carried a delivery when the preferred one refused it for good. */
  fallback: string | null;
  /** The CRM's id of what the step wrote: an engagement, a task. */
  crmId: string | null;
  detail: string | null;
}

/**
 * Where a page of the trail ends: the sort key of its last entry (time in microseconds, the
 * step's rank, the row's key within its source). Opaque to clients.
 */
export interface TrailCursor {
  us: string;
  rank: number;
  key: string;
}

/** The CSV's columns, in order: the entry's fields. */
export const TRAIL_CSV_COLUMNS = [
  'at',
  'step',
  'actor',
  'version',
  'contactId',
  'channel',
  'outcome',
  'attempts',
  'fallback',
  'crmId',
  'detail',
] as const satisfies readonly (keyof TrailEntry)[];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A field that a
 * spreadsheet would take for a formula (=, +, -, @, tab, CR) is prefixed with a quote mark, so
 * a customer's reply can never run as one in the CRM team's spreadsheet.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvHeader = (): string => `${TRAIL_CSV_COLUMNS.join(',')}\r\n`;

export const csvLine = (e: TrailEntry): string => `${TRAIL_CSV_COLUMNS.map((c) => csvField(e[c])).join(',')}\r\n`;
