import type { AudienceSummary } from './audience/summary.js';
import { DUPLICATE_REASONS } from './audience/types.js';
import type { DeliveryCounts } from './broadcast/final-summary.js';
import { RESPONSE_KINDS, type ResponseKind } from './vocabulary/index.js';

/**
 * The dashboard's figures as pure rules: the funnel of one alert, rates, segment buckets and the
 * breakdowns the pages and their CSV exports show. The store hands over grouped counts; these
 * functions only add them up, so every page, export and test computes a figure the same way.
 */

/** Value tiers as domain/segments.ts names them, plus `unknown` (a contact the read model lacks). */
export const VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze', 'prospect', 'unknown'] as const;
export type ValueTierLabel = (typeof VALUE_TIERS)[number];

/** Relationship length buckets, by whole months since the contact became a customer. */
export const TENURE_BUCKETS = [
  { label: 'under 1 year', maxMonths: 12 },
  { label: '1-3 years', maxMonths: 36 },
  { label: '3-5 years', maxMonths: 60 },
  { label: '5 years or more', maxMonths: Number.POSITIVE_INFINITY },
] as const;
export const TENURE_LABELS = [...TENURE_BUCKETS.map((b) => b.label), 'unknown'] as const;
export type TenureLabel = (typeof TENURE_LABELS)[number];

/** The relationship-length bucket of a contact; null months (no customer-since date): unknown. */
export function tenureBucket(months: number | null): TenureLabel {
  if (months === null || !Number.isFinite(months) || months < 0) return 'unknown';
  return TENURE_BUCKETS.find((b) => months < b.maxMonths)!.label;
}

/** The same buckets as a SQL `case` over a timestamptz column: the store groups by them in the database. */
export function tenureSql(column: string): string {
  const arms = TENURE_BUCKETS.filter((b) => Number.isFinite(b.maxMonths)).map(
    (b) => `when ${column} > now() - interval '${b.maxMonths} months' then '${b.label}'`,
  );
  return `case when ${column} is null then 'unknown' ${arms.join(' ')} else '${TENURE_BUCKETS.at(-1)!.label}' end`;
}

/** A percentage with one decimal; 0 when there is nothing to divide by. */
export const rate = (n: number, of: number): number => (of > 0 ? Math.round((n / of) * 1000) / 10 : 0);

/** One group of an alert's ledger, as the store counts it. */
export interface LedgerGroup {
  /** The channel the row went out on (the fallback's when it took it), else the one it was meant for. */
  channel: string;
  status: string;
  ownerId: string | null;
  valueTier: string;
  tenure: string;
  /** Pending rows held back until later (quiet hours). */
  held: number;
  rows: number;
  responded: number;
}

export interface FunnelStep {
  key: string;
  label: string;
  value: number;
  /** Nested steps (suppressed by reason, sent by channel, responded by kind). */
  parts?: { key: string; label: string; value: number }[];
}

/**
 * The funnel of one alert: memberships -> unique -> suppressed by reason -> held or scheduled ->
 * sent by channel -> bounced -> responded by kind -> unsubscribed. Audience figures come from the
 * alert's summary (what the API returns as `audience`), ledger figures from `counts` (the API's
 * `counts`), so the page and the API cannot disagree; the by-channel split adds up to `counts.sent`.
 */
export function alertFunnel(input: {
  summary: AudienceSummary | null;
  counts: DeliveryCounts;
  groups: LedgerGroup[];
  responsesByKind: Partial<Record<ResponseKind, number>>;
}): FunnelStep[] {
  const { summary, counts, groups } = input;
  const sentByChannel = new Map<string, number>();
  let held = 0;
  for (const g of groups) {
    if (g.status === 'sent') sentByChannel.set(g.channel, (sentByChannel.get(g.channel) ?? 0) + g.rows);
    held += g.held;
  }
  // Duplicates are the step from memberships to unique contacts, not a suppression after it.
  const duplicates: readonly string[] = DUPLICATE_REASONS;
  const suppressed = Object.entries(summary?.suppressedByReason ?? {}).filter(
    ([reason, n]) => n > 0 && !duplicates.includes(reason),
  );
  const kinds = RESPONSE_KINDS.filter((k) => (input.responsesByKind[k] ?? 0) > 0);
  return [
    { key: 'memberships', label: 'List memberships', value: summary?.totalMemberships ?? 0 },
    { key: 'unique', label: 'Unique contacts', value: summary?.uniqueContacts ?? 0 },
    {
      key: 'suppressed',
      label: 'Suppressed',
      value: suppressed.reduce((a, [, n]) => a + n, 0),
      parts: suppressed.map(([reason, n]) => ({
        key: reason,
        label: reason.replaceAll('_', ' ').toLowerCase(),
        value: n,
      })),
    },
    {
      key: 'pending',
      label: 'Held or scheduled',
      value: counts.pending + counts.sending + (counts.digest ?? 0),
      parts: [
        { key: 'held', label: 'held (quiet hours)', value: held },
        { key: 'scheduled', label: 'scheduled or sending', value: counts.pending + counts.sending - held },
        // Waiting for the contacts' daily or weekly digests (their choice in the preference centre).
        ...((counts.digest ?? 0) > 0 ? [{ key: 'digest', label: 'held for digests', value: counts.digest ?? 0 }] : []),
      ],
    },
    {
      key: 'sent',
      label: 'Sent',
      value: counts.sent,
      parts: [...sentByChannel]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([ch, n]) => ({ key: ch, label: ch, value: n })),
    },
    { key: 'bounced', label: 'Bounced', value: counts.bounced },
    {
      key: 'responded',
      label: 'Responded',
      value: counts.responded,
      parts: kinds.map((k) => ({ key: k, label: k, value: input.responsesByKind[k] ?? 0 })),
    },
    { key: 'unsubscribed', label: 'Unsubscribed', value: input.responsesByKind.unsubscribe ?? 0 },
  ];
}

export interface BreakdownRow {
  key: string;
  rows: number;
  sent: number;
  bounced: number;
  failed: number;
  unconfirmed: number;
  pending: number;
  responded: number;
  /** Of sent. */
  responseRate: number;
}

/** The ledger groups added up by one dimension (channel, owner, value tier, tenure), largest first. */
export function breakdown(groups: LedgerGroup[], by: (g: LedgerGroup) => string): BreakdownRow[] {
  const out = new Map<string, BreakdownRow>();
  for (const g of groups) {
    const key = by(g);
    const row = out.get(key) ?? {
      key,
      rows: 0,
      sent: 0,
      bounced: 0,
      failed: 0,
      unconfirmed: 0,
      pending: 0,
      responded: 0,
      responseRate: 0,
    };
    row.rows += g.rows;
    row.responded += g.responded;
    if (g.status === 'sent') row.sent += g.rows;
    else if (g.status === 'bounced') row.bounced += g.rows;
    else if (g.status === 'failed') row.failed += g.rows;
    else if (g.status === 'unconfirmed') row.unconfirmed += g.rows;
    else if (g.status === 'pending' || g.status === 'sending') row.pending += g.rows;
    out.set(key, row);
  }
  return [...out.values()]
    .map((r) => ({ ...r, responseRate: rate(r.responded, r.sent) }))
    .sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key));
}

/** One rollup row of the across-alerts page: an alert x channel x segment, with its alert's facts. */
export interface RollupRow {
  alertId: string;
  topic: string;
  requester: string;
  /** The alert's creation day (YYYY-MM-DD) and week (the Monday, YYYY-MM-DD). */
  week: string;
  channel: string;
  valueTier: string;
  tenure: string;
  deliveries: number;
  sent: number;
  bounced: number;
  responded: number;
  unsubscribed: number;
}

export interface RateRow {
  key: string;
  alerts: number;
  sent: number;
  attempted: number;
  responseRate: number;
  unsubscribeRate: number;
  bounceRate: number;
}

/** Response and unsubscribe rates are of sent, bounce rate of attempted (sent + bounced), as in the summary email. */
/** The across-alerts tables a row of the rollup falls in, by the key each table groups it under. */
export const ACROSS_KEYS = {
  topic: (r: RollupRow) => r.topic,
  requester: (r: RollupRow) => r.requester.toLowerCase(),
  channel: (r: RollupRow) => r.channel,
  tier: (r: RollupRow) => r.valueTier,
  tenure: (r: RollupRow) => r.tenure,
  week: (r: RollupRow) => r.week,
} as const;
export type AcrossKey = keyof typeof ACROSS_KEYS;

export function ratesBy(rows: RollupRow[], by: (r: RollupRow) => string): RateRow[] {
  const acc = new Map<
    string,
    { alerts: Set<string>; sent: number; bounced: number; responded: number; unsubscribed: number }
  >();
  for (const r of rows) {
    const key = by(r);
    const a = acc.get(key) ?? { alerts: new Set(), sent: 0, bounced: 0, responded: 0, unsubscribed: 0 };
    a.alerts.add(r.alertId);
    a.sent += r.sent;
    a.bounced += r.bounced;
    a.responded += r.responded;
    a.unsubscribed += r.unsubscribed;
    acc.set(key, a);
  }
  return [...acc]
    .map(([key, a]) => ({
      key,
      alerts: a.alerts.size,
      sent: a.sent,
      attempted: a.sent + a.bounced,
      responseRate: rate(a.responded, a.sent),
      unsubscribeRate: rate(a.unsubscribed, a.sent),
      bounceRate: rate(a.bounced, a.sent + a.bounced),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Best and worst topics by response rate, among topics that sent at least `minSent` messages (a
 * topic with three sends and one answer is not the best topic). Ties: more sent first.
 */
export function bestAndWorst(rows: RateRow[], n = 3, minSent = 20): { best: RateRow[]; worst: RateRow[] } {
  const eligible = rows.filter((r) => r.sent >= minSent);
  const ranked = [...eligible].sort((a, b) => b.responseRate - a.responseRate || b.sent - a.sent);
  const best = ranked.slice(0, n);
  const worst = ranked.slice(Math.max(n, ranked.length - n)).reverse();
  return { best, worst };
}

/** Series for a time chart: x in epoch seconds, one array per series, zeros where a bucket had none. */
export function timeSeries(
  points: { t: number; series: string; n: number }[],
  seriesOrder: readonly string[],
): { x: number[]; series: { name: string; values: number[] }[] } {
  const xs = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const names = [
    ...seriesOrder.filter((s) => points.some((p) => p.series === s)),
    ...[...new Set(points.map((p) => p.series))].filter((s) => !seriesOrder.includes(s)).sort(),
  ];
  const series = names.map((name) => ({ name, values: xs.map(() => 0) }));
  const byName = new Map(series.map((s) => [s.name, s]));
  for (const p of points) byName.get(p.series)!.values[index.get(p.t)!]! += p.n;
  return { x: xs, series };
}

/** The width of a time bucket for a span: about `buckets` buckets, never under a second. */
export function bucketSeconds(spanSeconds: number, buckets = 120): number {
  const steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400];
  const wanted = Math.max(1, spanSeconds / buckets);
  return steps.find((s) => s >= wanted) ?? 7 * 86_400;
}

/** One CSV line, RFC 4180; a cell a spreadsheet would run as a formula is prefixed with '. */
export function csvRow(cells: (string | number | boolean | null | undefined)[]): string {
  return `${cells
    .map((v) => {
      if (v === null || v === undefined) return '';
      let s = String(v);
      if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    })
    .join(',')}\r\n`;
}
