import type { LiveSummary, LiveSummaryAlert } from '../contracts/live-summary.js';
import type { AlertStatus } from '../domain/vocabulary/index.js';
import { isRequester } from '../domain/broadcast/decision-rules.js';
import type { AlertRow, AlertStore } from '../store/alerts.js';
import type { ApproverGroups } from './approver-groups.js';
import type { DeliveryStore } from '../store/deliveries.js';

export interface LiveSummaryDeps {
  alerts: Pick<AlertStore, 'list'>;
  deliveries: Pick<DeliveryStore, 'counts'>;
  /** APPROVER_GROUPS, judged by person id. */
  groups: Pick<ApproverGroups, 'groupsOf' | 'names' | 'members'>;
  /** PUBLIC_URL: the dashboard's links are absolute (Slack and Outlook open them in a browser). */
  publicUrl: string;
  now?: () => Date;
}

export interface LiveSummaryService {
  /**
   * The person's alerts in flight, counted now: `email` as the person signed in, `id` their person
   * id (absent: a development sign-in without a directory, judged by email).
   */
  forPerson(person: { email: string; id?: string }): Promise<LiveSummary>;
  /** /dashboard/alerts/{id} under PUBLIC_URL. */
  alertUrl(alertId: string): string;
}

/** How many alerts of each status are looked at (newest first): enough for a person's live work. */
const SCAN = 200;
/** How many alerts each part lists by name; the counts cover them all. */
const LISTED = 5;
const DISPATCHED: AlertStatus[] = ['following_up', 'completed'];

/**
 * The small live summary Slack's App Home and the add-in's approval view show: what waits for a
 * decision, what is sending (sent of total, from the delivery ledger, so it moves while dispatch
 * runs) and what was dispatched today with its response rate. The same ledger the API, the trail
 * and the summary email read. A person's alerts: those they requested, and those of an approver
 * group they belong to.
 */
export function createLiveSummary(deps: LiveSummaryDeps): LiveSummaryService {
  const base = deps.publicUrl.replace(/\/+$/, '');
  const alertUrl = (id: string) => `${base}/dashboard/alerts/${encodeURIComponent(id)}`;
  const now = deps.now ?? (() => new Date());

  return {
    alertUrl,
    async forPerson(person) {
      const me = person.email.toLowerCase();
      const groups = new Set(
        person.id
          ? await deps.groups.groupsOf({ id: person.id, email: me })
          : deps.groups.names().filter((g) => (deps.groups.members(g) ?? []).includes(me)),
      );
      const mine = (a: AlertRow) => isRequester(a, { email: me, id: person.id ?? null });
      const concerns = (a: AlertRow) => mine(a) || groups.has(a.approverGroup);
      const item = (a: AlertRow): LiveSummaryAlert => ({
        id: a.id,
        title: a.title,
        requester: a.requester,
        dashboardUrl: alertUrl(a.id),
        mine: mine(a),
      });
      const list = (status: AlertStatus) =>
        deps.alerts.list({ status, limit: SCAN }).then((rows) => rows.filter(concerns));

      const at = now();
      const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
      const [waiting, approved, dispatching, ...dispatched] = await Promise.all([
        list('awaiting_approval'),
        list('approved'),
        list('dispatching'),
        ...DISPATCHED.map(list),
      ]);
      const sendingRows = [...dispatching, ...approved];
      const doneRows = dispatched.flat().filter((a) => Date.parse(a.completedAt ?? a.updatedAt) >= midnight);
      // Live from the ledger while sending; a dispatched alert's stored counts are kept current by responses too.
      const [sendingCounts, doneCounts] = await Promise.all([
        Promise.all(sendingRows.map((a) => deps.deliveries.counts(a.id))),
        Promise.all(doneRows.map((a) => (a.counts ? Promise.resolve(a.counts) : deps.deliveries.counts(a.id)))),
      ]);
      const sent = doneCounts.reduce((n, c) => n + c.sent, 0);
      const responded = doneCounts.reduce((n, c) => n + c.responded, 0);
      return {
        pendingApproval: {
          count: waiting.length,
          forYou: waiting.filter((a) => !mine(a)).length,
          alerts: waiting.slice(0, LISTED).map(item),
        },
        sending: {
          count: sendingRows.length,
          alerts: sendingRows.slice(0, LISTED).map((a, i) => ({
            ...item(a),
            sent: sendingCounts[i]!.sent,
            // Before the audience is written the ledger is empty: the resolved audience stands in.
            total: sendingCounts[i]!.total || (a.summary?.deliveries ?? 0),
          })),
        },
        doneToday: {
          count: doneRows.length,
          sent,
          responded,
          responseRate: sent > 0 ? Math.min(1, responded / sent) : null,
        },
        dashboardUrl: `${base}/dashboard`,
        at: at.toISOString(),
      };
    },
  };
}
