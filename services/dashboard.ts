import {
  ACROSS_KEYS,
  alertFunnel,
  bestAndWorst,
  breakdown,
  bucketSeconds,
  ratesBy,
  timeSeries,
  type AcrossKey,
  type BreakdownRow,
  type FunnelStep,
  type LedgerGroup,
  type RateRow,
} from '../domain/dashboard.js';
import type { DeliveryCounts } from '../domain/broadcast/final-summary.js';
import { DEFAULT_QUESTIONS, type Question } from '../domain/questions.js';
import { actionLabel, type NextBestActionRules } from '../domain/next-best-action.js';
import { NEXT_BEST_ACTION_RULES } from './next-best-action-rules.js';
import { CHANNELS, RESPONSE_KINDS, type ResponseKind } from '../domain/vocabulary/index.js';
import type { AlertRow, AlertStore } from '../store/alerts.js';
import type { DashboardStore, LedgerRowView, RowFilter } from '../store/dashboard.js';
import type { DeliveryStore } from '../store/deliveries.js';

export interface DashboardDataDeps {
  alerts: AlertStore;
  /** The API's counts (GET /api/alerts/:id) come from here: the page reads the same query. */
  deliveries: Pick<DeliveryStore, 'counts'>;
  dashboard: DashboardStore;
  questions?: Question[];
  /** The rules whose actions the crow's nest counts (their labels); default config/next-best-action.json. */
  nextBestActionRules?: NextBestActionRules;
  /** How often the shared poll of an alert open on some page reads the ledger (ms); default 1000. */
  pollMs?: number;
}

export interface Chart {
  x: number[];
  series: { name: string; values: number[] }[];
}

/** Everything the alert page shows, in one object: the page renders it, the live stream sends it again. */
export interface AlertFigures {
  alertId: string;
  status: string;
  counts: DeliveryCounts;
  funnel: FunnelStep[];
  responsesByKind: Partial<Record<ResponseKind, number>>;
  byChannel: BreakdownRow[];
  byValueTier: BreakdownRow[];
  byTenure: BreakdownRow[];
  byOwner: BreakdownRow[];
  /** Seconds per bucket of the charts. */
  bucket: number;
  sends: Chart;
  responses: Chart;
}

export interface AcrossFigures {
  since: string;
  byTopic: RateRow[];
  byRequester: RateRow[];
  byChannel: RateRow[];
  byValueTier: RateRow[];
  byTenure: RateRow[];
  byWeek: RateRow[];
  best: RateRow[];
  worst: RateRow[];
  weekly: Chart;
  approvals: Awaited<ReturnType<DashboardStore['approvalTimes']>>;
  approvalMedianSeconds: number | null;
}

/** A chart of one bucket gets an empty next one, so its time axis spans a bucket and not years. */
const padded = (chart: Chart, bucket: number): Chart =>
  chart.x.length !== 1
    ? chart
    : { x: [...chart.x, chart.x[0]! + bucket], series: chart.series.map((s) => ({ ...s, values: [...s.values, 0] })) };

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The dashboard's use cases: the figures of one alert, across alerts and of the crow's nest,
 * and the live feed of an alert's figures while it dispatches.
 */
export function createDashboardData(deps: DashboardDataDeps) {
  const questions = deps.questions ?? DEFAULT_QUESTIONS;
  const rules = deps.nextBestActionRules ?? NEXT_BEST_ACTION_RULES;
  /** What each rule asks a rep to do, in general words; a rule since removed from the file: its id. */
  const actionLabels = new Map(rules.rules.map((r) => [r.id, actionLabel(r)]));
  const labelOf = (ruleId: string) => actionLabels.get(ruleId) ?? ruleId;
  // What the poll compares: the API's counts, the alert's status and its number of responses.
  const pulse = async (id: string) => [await deps.deliveries.counts(id), await deps.dashboard.pulse(id)];
  const live = createLiveFeed(deps.pollMs ?? 1000, pulse, alertFigures);

  async function alertFigures(alertId: string): Promise<AlertFigures | null> {
    const alert = await deps.alerts.get(alertId);
    if (!alert) return null;
    return figuresOf(alert);
  }

  async function figuresOf(alert: AlertRow): Promise<AlertFigures> {
    // The buckets follow the alert's sending time so far (approval to completion, or now): every
    // read then runs at once, none waits for another.
    const from = Date.parse(alert.approvedAt ?? alert.createdAt);
    const to = alert.completedAt ? Date.parse(alert.completedAt) : Date.now();
    const bucket = bucketSeconds(Math.max(0, (to - from) / 1000));
    const [counts, groups, responsesByKind, timeline] = await Promise.all([
      deps.deliveries.counts(alert.id),
      deps.dashboard.ledgerGroups(alert.id),
      deps.dashboard.responsesByKind(alert.id),
      deps.dashboard.timeline(alert.id, bucket),
    ]);
    const owner = (g: LedgerGroup) => g.ownerId ?? '';
    return {
      alertId: alert.id,
      status: alert.status,
      counts,
      funnel: alertFunnel({ summary: alert.summary, counts, groups, responsesByKind }),
      responsesByKind,
      byChannel: breakdown(groups, (g) => g.channel),
      byValueTier: breakdown(groups, (g) => g.valueTier),
      byTenure: breakdown(groups, (g) => g.tenure),
      byOwner: breakdown(groups, owner),
      bucket,
      sends: padded(timeSeries(timeline.sends, CHANNELS), bucket),
      responses: padded(timeSeries(timeline.responses, RESPONSE_KINDS), bucket),
    };
  }

  return {
    alert: (id: string) => deps.alerts.get(id),
    listAlerts: (q: { topic?: string; requester?: string; limit: number }) => deps.alerts.list(q),
    alertFigures,
    figuresOf,
    rows: (
      alertId: string,
      filter: RowFilter,
      limit: number,
      offset = 0,
      perStatus?: number,
    ): Promise<LedgerRowView[]> => deps.dashboard.rows(alertId, filter, limit, offset, perStatus),
    /** Subscribe to an alert's figures; `push` gets them now and whenever the ledger moved (at most once per poll). */
    subscribe: live.subscribe,
    /** Alerts with a live poll running (tests and /metrics-style checks: one per alert, whatever the viewers). */
    livePolls: live.polls,

    async across(since: Date): Promise<AcrossFigures> {
      const [rows, approvals] = await Promise.all([deps.dashboard.rollup(since), deps.dashboard.approvalTimes(since)]);
      const byTopic = ratesBy(rows, ACROSS_KEYS.topic);
      const byWeek = ratesBy(rows, ACROSS_KEYS.week);
      const { best, worst } = bestAndWorst(byTopic);
      const weekX = byWeek.map((w) => Date.parse(`${w.key}T00:00:00Z`) / 1000);
      return {
        since: since.toISOString(),
        byTopic,
        byRequester: ratesBy(rows, ACROSS_KEYS.requester),
        byChannel: ratesBy(rows, ACROSS_KEYS.channel),
        byValueTier: ratesBy(rows, ACROSS_KEYS.tier),
        byTenure: ratesBy(rows, ACROSS_KEYS.tenure),
        byWeek,
        best,
        worst,
        weekly: {
          x: weekX,
          series: [
            { name: 'response rate %', values: byWeek.map((w) => w.responseRate) },
            { name: 'unsubscribe rate %', values: byWeek.map((w) => w.unsubscribeRate) },
            { name: 'bounce rate %', values: byWeek.map((w) => w.bounceRate) },
          ],
        },
        approvals,
        approvalMedianSeconds: median(approvals.map((a) => a.seconds)),
      };
    },

    /**
     * The alerts behind one row of an across-alerts table (`by` = `key`): each alert's share of
     * that row, from the same rollup, so the alerts' figures add up to the row's.
     */
    async slice(since: Date, by: AcrossKey, key: string) {
      const rows = (await deps.dashboard.rollup(since)).filter((r) => ACROSS_KEYS[by](r) === key);
      const about = new Map(rows.map((r) => [r.alertId, { topic: r.topic, requester: r.requester, week: r.week }]));
      const perAlert = ratesBy(rows, (r) => r.alertId).map((r) => ({ ...r, ...about.get(r.key)! }));
      return { total: ratesBy(rows, () => key)[0] ?? null, alerts: perAlert };
    },

    async crowsNest(options: { days: number; weeks: number; overdueDays: number }) {
      const [untouched, perRep, answered, overdue, pending, coverage] = await Promise.all([
        deps.dashboard.untouched(options.days),
        deps.dashboard.touchesPerRep(options.weeks),
        deps.dashboard.questionsAnswered(questions.map((q) => q.id)),
        deps.dashboard.followUpsOverdue(options.overdueDays, 500),
        deps.dashboard.pendingActions(),
        deps.dashboard.actionCoverage(),
      ]);
      return {
        ...options,
        untouched,
        perRep,
        answered,
        questions,
        overdue,
        pending: pending.map((p) => ({ ...p, action: labelOf(p.ruleId) })),
        coverage,
      };
    },
    untouchedContacts: deps.dashboard.untouchedContacts,
    pendingActionContacts: deps.dashboard.pendingActionContacts,
    answeredContacts: deps.dashboard.answeredContacts,
    touchesOf: deps.dashboard.touchesOf,
    /** A rule's action in general words, for the heading of its contacts' page. */
    actionLabel: labelOf,
    stop: live.stop,
  };
}

export type DashboardData = ReturnType<typeof createDashboardData>;

/**
 * One poll per alert open on any page, whatever the number of viewers: every `pollMs` it reads the
 * alert's counts (the API's cheap grouped count); when they moved, it computes the figures once and
 * pushes them to every subscriber. The poll stops with the last subscriber. So N viewers of one
 * alert cost one count per second, not N page queries per second.
 */
function createLiveFeed<T>(
  pollMs: number,
  fingerprint: (alertId: string) => Promise<unknown>,
  compute: (alertId: string) => Promise<T | null>,
) {
  interface Poll {
    subscribers: Set<(figures: T) => void>;
    timer: ReturnType<typeof setTimeout> | null;
    last: string | null;
    latest: T | null;
    running: boolean;
  }
  const polls = new Map<string, Poll>();

  async function tick(alertId: string, poll: Poll): Promise<void> {
    if (poll.running) return;
    poll.running = true;
    try {
      const print = JSON.stringify(await fingerprint(alertId));
      if (print !== poll.last) {
        const figures = await compute(alertId);
        poll.last = print;
        if (figures !== null) {
          poll.latest = figures;
          for (const push of poll.subscribers) push(figures);
        }
      }
    } catch {
      // A failed read is tried again at the next tick; the viewers keep the last figures.
    } finally {
      poll.running = false;
      if (polls.get(alertId) === poll && poll.subscribers.size > 0) {
        poll.timer = setTimeout(() => void tick(alertId, poll), pollMs);
        poll.timer.unref?.();
      }
    }
  }

  return {
    subscribe(alertId: string, push: (figures: T) => void): () => void {
      let poll = polls.get(alertId);
      if (!poll) {
        poll = { subscribers: new Set(), timer: null, last: null, latest: null, running: false };
        polls.set(alertId, poll);
        poll.subscribers.add(push);
        void tick(alertId, poll);
      } else {
        poll.subscribers.add(push);
        if (poll.latest !== null) push(poll.latest);
      }
      const p = poll;
      return () => {
        p.subscribers.delete(push);
        if (p.subscribers.size === 0) {
          if (p.timer) clearTimeout(p.timer);
          if (polls.get(alertId) === p) polls.delete(alertId);
        }
      };
    },
    polls: () => [...polls.keys()],
    stop() {
      for (const p of polls.values()) if (p.timer) clearTimeout(p.timer);
      polls.clear();
    },
  };
}
