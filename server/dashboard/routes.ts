import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ACROSS_KEYS, type AcrossKey, type BreakdownRow, type RateRow } from '../../domain/dashboard.js';
import { isFinal, RESPONSE_KINDS, type AlertStatus } from '../../domain/vocabulary/index.js';
import type { AlertFigures, DashboardData } from '../../services/dashboard.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { LedgerRowView } from '../../store/dashboard.js';
import { dashboardAssets } from './assets.js';
import type { DashboardAuth, DashboardEnv } from './auth-seam.js';
import { chart, dashboardPage, esc, figuresBlock, qs, table, type Column } from './views.js';
import { crowsNestRoutes } from './crows-nest-routes.js';
import { CSV_ROW_LIMIT, csv, format, html, ownerLabel, parse, pct, ROW_LIMIT, text, viewer } from './route-kit.js';

export interface DashboardDeps {
  auth: DashboardAuth;
  data: DashboardData;
  /** The suppressed contacts and the responses behind the funnel's numbers (the API's own reads). */
  deliveries: Pick<DeliveryStore, 'suppressions'>;
  responses: Pick<ResponseStore, 'forAlert'>;
  /** Seconds between keep-alive comments on an idle event stream (proxies close silent ones). */
  keepAliveSeconds?: number;
}

/** Unconfirmed and failed rows listed on the alert page. */
const LISTED = 25;
const alertId = z.string().regex(/^alr_[0-9A-Za-z]{1,40}$/, 'not an alert id');

const alertQuery = z.object({ format, table: z.enum(['funnel', 'channel', 'tier', 'tenure', 'owner']).optional() });
const rowsQuery = z.object({
  format,
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed', 'cancelled']).optional(),
  channel: text.optional(),
  owner: text.optional(),
  tier: text.optional(),
  tenure: text.optional(),
  responded: z.enum(['true', 'false']).optional(),
  waiting: z.enum(['all', 'held', 'scheduled']).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
const acrossQuery = z.object({
  format,
  weeks: z.coerce.number().int().min(1).max(260).default(12),
  table: z.enum(['topic', 'requester', 'channel', 'tier', 'tenure', 'week', 'approvals']).optional(),
});
const listQuery = z.object({ topic: text.optional(), requester: text.optional() });
const sliceQuery = z.object({
  format,
  weeks: z.coerce.number().int().min(1).max(260).default(12),
  by: z.enum(Object.keys(ACROSS_KEYS) as [AcrossKey, ...AcrossKey[]]),
  key: text,
});

/**
 * The web dashboard at /dashboard: across alerts, one alert (live while it dispatches) and the
 * crow's nest. Server-rendered; every number links to the rows behind it and every table exports
 * as CSV (`?format=csv`, `&table=` naming the table on pages with several). Every route is behind
 * `auth.require`, and `auth.csrf` guards anything that would change state (none today).
 */
export function dashboardRoutes(deps: DashboardDeps) {
  const { auth, data } = deps;
  const app = new Hono<DashboardEnv>();
  // The sign-in routes (/dashboard/auth) are mounted by server/app.ts, before these, without auth.require.
  app.use('*', auth.require, auth.csrf);

  app.get('/assets/:file', (c) => {
    const asset = dashboardAssets()[c.req.param('file')];
    if (!asset) return c.text('no such file', 404);
    c.header('content-type', asset.type);
    c.header('cache-control', 'private, max-age=3600');
    return c.body(asset.body);
  });

  // ---- across alerts ----
  app.get('/', async (c) => {
    const q = parse(c, acrossQuery, c.req.query());
    if (q instanceof Response) return q;
    const since = new Date(Date.now() - q.weeks * 7 * 86_400_000);
    const f = await data.across(since);
    const tables: Record<string, [string, RateRow[]]> = {
      topic: ['Topic', f.byTopic],
      requester: ['Requester', f.byRequester],
      channel: ['Channel', f.byChannel],
      tier: ['Value tier', f.byValueTier],
      tenure: ['Relationship', f.byTenure],
      week: ['Week', f.byWeek],
    };
    if (q.format === 'csv') {
      if (q.table === 'approvals')
        return csv(
          c,
          'approval-times',
          ['alert', 'topic', 'requester', 'requested_at', 'decided_at', 'decision', 'seconds'],
          f.approvals.map((a) => [a.alertId, a.topic, a.requester, a.requestedAt, a.decidedAt, a.decision, a.seconds]),
        );
      const [label, rows] = tables[q.table ?? 'topic']!;
      return csv(
        c,
        `rates-by-${q.table ?? 'topic'}`,
        [
          label.toLowerCase(),
          'alerts',
          'sent',
          'attempted',
          'response_rate_pct',
          'unsubscribe_rate_pct',
          'bounce_rate_pct',
        ],
        rows.map((r) => [r.key, r.alerts, r.sent, r.attempted, r.responseRate, r.unsubscribeRate, r.bounceRate]),
      );
    }
    // Every row opens the alerts behind it with their share of the row; topic and requester also list their alerts.
    const sliceLink = (key: AcrossKey) => (r: RateRow) =>
      `/dashboard/rates${qs({ weeks: q.weeks, by: key, key: r.key })}`;
    const rateLink = (key: AcrossKey) => (r: RateRow) =>
      key === 'topic' || key === 'requester' ? `/dashboard/alerts${qs({ [key]: r.key })}` : sliceLink(key)(r);
    const rateColumns = (key: AcrossKey, label: string): Column<RateRow>[] => [
      { label, value: (r) => r.key, href: rateLink(key) },
      { label: 'Alerts', value: (r) => r.alerts, numeric: true, href: rateLink(key) },
      { label: 'Sent', value: (r) => r.sent, numeric: true, href: sliceLink(key) },
      { label: 'Response rate', value: (r) => pct(r.responseRate), numeric: true },
      { label: 'Unsubscribe rate', value: (r) => pct(r.unsubscribeRate), numeric: true },
      { label: 'Bounce rate', value: (r) => pct(r.bounceRate), numeric: true },
    ];
    const section = (key: AcrossKey) => {
      const [label, rows] = tables[key]!;
      return `<div class="card"><h2>By ${esc(label.toLowerCase())}</h2>${table(rows, rateColumns(key, label), {
        csv: `/dashboard${qs({ weeks: q.weeks, format: 'csv', table: key })}`,
      })}</div>`;
    };
    const body = `<p class="muted">Alerts created in the last ${q.weeks} weeks (since ${esc(f.since.slice(0, 10))}). Rates: responses and unsubscribes of sent, bounces of sent + bounced. <a href="/dashboard/alerts">All alerts</a></p>
<div class="grid">
<div class="card"><h2>Rates by week</h2>${chart('weekly', 'Response, unsubscribe and bounce rates by week')}</div>
<div class="card"><h2>Best topics</h2>${table(f.best, rateColumns('topic', 'Topic'), { empty: 'No topic has sent 20 messages yet.' })}
<h2>Worst topics</h2>${table(f.worst, rateColumns('topic', 'Topic'), { empty: 'No topic has sent 20 messages yet.' })}</div>
${(['topic', 'requester', 'channel', 'tier', 'tenure', 'week'] as const).map(section).join('\n')}
<div class="card"><h2>Approval time (request → decision)</h2><p>Median: <b>${f.approvalMedianSeconds === null ? '–' : esc(duration(f.approvalMedianSeconds))}</b> over ${f.approvals.length} decided alert(s).</p>
${table(
  f.approvals.slice(0, 20),
  [
    { label: 'Alert', value: (a) => a.alertId, href: (a) => `/dashboard/alerts/${encodeURIComponent(a.alertId)}` },
    { label: 'Topic', value: (a) => a.topic },
    { label: 'Decision', value: (a) => a.decision },
    { label: 'Took', value: (a) => duration(a.seconds), numeric: true },
  ],
  { csv: `/dashboard${qs({ weeks: q.weeks, format: 'csv', table: 'approvals' })}` },
)}</div>
</div>
${figuresBlock({ weekly: f.weekly })}`;
    return html(c, dashboardPage({ title: 'Across alerts', tab: 'across', body, viewer: viewer(c), charts: true }));
  });

  app.get('/alerts', async (c) => {
    const q = parse(c, listQuery, c.req.query());
    if (q instanceof Response) return q;
    const alerts = await data.listAlerts({ ...q, limit: 200 });
    const body = `${table(
      alerts,
      [
        { label: 'Alert', value: (a) => a.title, href: (a) => `/dashboard/alerts/${encodeURIComponent(a.id)}` },
        { label: 'Topic', value: (a) => a.topic },
        { label: 'Requester', value: (a) => a.requester },
        { label: 'Status', value: (a) => a.status.replaceAll('_', ' ') },
        { label: 'Created', value: (a) => a.createdAt.slice(0, 16).replace('T', ' ') },
      ],
      { empty: 'No alert matches.' },
    )}`;
    return html(c, dashboardPage({ title: 'Alerts', tab: 'across', body, viewer: viewer(c) }));
  });

  app.get('/rates', async (c) => {
    const q = parse(c, sliceQuery, c.req.query());
    if (q instanceof Response) return q;
    const since = new Date(Date.now() - q.weeks * 7 * 86_400_000);
    const slice = await data.slice(since, q.by, q.key);
    if (q.format === 'csv')
      return csv(
        c,
        `rates-${q.by}-${q.key}`,
        [
          'alert',
          'topic',
          'requester',
          'sent',
          'attempted',
          'response_rate_pct',
          'unsubscribe_rate_pct',
          'bounce_rate_pct',
        ],
        slice.alerts.map((a) => [
          a.key,
          a.topic,
          a.requester,
          a.sent,
          a.attempted,
          a.responseRate,
          a.unsubscribeRate,
          a.bounceRate,
        ]),
      );
    // An alert's own rows of this slice, where the ledger can be filtered by it.
    const rowFilter: Record<string, string | undefined> = {
      channel: q.by === 'channel' ? q.key : undefined,
      tier: q.by === 'tier' ? q.key : undefined,
      tenure: q.by === 'tenure' ? q.key : undefined,
    };
    const alertBase = (id: string) => `/dashboard/alerts/${encodeURIComponent(id)}`;
    const t = slice.total;
    const body = `<p><a href="/dashboard${qs({ weeks: q.weeks })}">← Across alerts</a></p>
<p class="muted">Alerts created in the last ${q.weeks} weeks whose ${esc(q.by)} is <b>${esc(q.key)}</b>: ${t ? `${t.alerts} alert(s), <b id="slice-sent">${t.sent}</b> sent, response rate ${pct(t.responseRate)}` : 'none'}.</p>
${table(
  slice.alerts,
  [
    { label: 'Alert', value: (a) => a.key, href: (a) => alertBase(a.key) },
    { label: 'Topic', value: (a) => a.topic },
    { label: 'Requester', value: (a) => a.requester },
    {
      label: 'Sent',
      value: (a) => a.sent,
      numeric: true,
      href: (a) => `${alertBase(a.key)}/rows${qs({ ...rowFilter, status: 'sent' })}`,
    },
    { label: 'Response rate', value: (a) => pct(a.responseRate), numeric: true },
    { label: 'Unsubscribe rate', value: (a) => pct(a.unsubscribeRate), numeric: true },
    { label: 'Bounce rate', value: (a) => pct(a.bounceRate), numeric: true },
  ],
  { csv: `/dashboard/rates${qs({ weeks: q.weeks, by: q.by, key: q.key, format: 'csv' })}`, empty: 'No alert.' },
)}`;
    return html(c, dashboardPage({ title: `Rates: ${q.by} ${q.key}`, tab: 'across', body, viewer: viewer(c) }));
  });

  // ---- one alert ----
  app.get('/alerts/:id', async (c) => {
    const id = parse(c, alertId, c.req.param('id'));
    if (id instanceof Response) return id;
    const q = parse(c, alertQuery, c.req.query());
    if (q instanceof Response) return q;
    const alert = await data.alert(id);
    if (!alert) return c.text('no such alert', 404);
    // The unconfirmed and failed rows in one read: the first LISTED of each (their pages list them all).
    const [f, listed] = await Promise.all([
      data.figuresOf(alert),
      q.format === 'csv' ? [] : data.rows(id, { statuses: ['unconfirmed', 'failed'] }, 2 * LISTED, 0, LISTED),
    ]);
    const unconfirmed = listed.filter((r) => r.status === 'unconfirmed');
    const failed = listed.filter((r) => r.status === 'failed');
    const byTable: Record<string, [string, BreakdownRow[]]> = {
      channel: ['channel', f.byChannel],
      tier: ['value_tier', f.byValueTier],
      tenure: ['relationship', f.byTenure],
      owner: ['owner', f.byOwner],
    };
    if (q.format === 'csv') {
      if (!q.table || q.table === 'funnel') {
        const lines: (string | number)[][] = [];
        for (const s of f.funnel) {
          lines.push([s.key, '', s.value]);
          for (const p of s.parts ?? []) lines.push([s.key, p.key, p.value]);
        }
        return csv(c, `${id}-funnel`, ['step', 'part', 'value'], lines);
      }
      const [label, rows] = byTable[q.table]!;
      return csv(
        c,
        `${id}-by-${q.table}`,
        [label, 'rows', 'sent', 'bounced', 'failed', 'unconfirmed', 'pending', 'responded', 'response_rate_pct'],
        rows.map((r) => [
          r.key,
          r.rows,
          r.sent,
          r.bounced,
          r.failed,
          r.unconfirmed,
          r.pending,
          r.responded,
          r.responseRate,
        ]),
      );
    }
    const base = `/dashboard/alerts/${encodeURIComponent(id)}`;
    const rowsHref = (params: Record<string, string | undefined>) => `${base}/rows${qs(params)}`;
    const funnelHref = (step: string, part?: string): string | null => {
      switch (step) {
        case 'memberships':
        case 'unique':
          return rowsHref({});
        case 'suppressed':
          return `${base}/suppressed${qs({ reason: part })}`;
        case 'pending':
          // The whole step is pending and sending rows; its parts split them into held and scheduled.
          return rowsHref({ waiting: part ?? 'all' });
        case 'sent':
          return rowsHref({ status: 'sent', channel: part });
        case 'bounced':
          return rowsHref({ status: 'bounced' });
        case 'responded':
        case 'unsubscribed':
          return `${base}/responses${qs({ kind: step === 'unsubscribed' ? 'unsubscribe' : part })}`;
        default:
          return null;
      }
    };
    const top = Math.max(1, f.funnel[0]?.value ?? 1);
    const funnel = f.funnel
      .map((s) => {
        const main = `<tr><td>${esc(s.label)}</td><td class="n"><a href="${esc(funnelHref(s.key) ?? base)}" data-path="funnel|${esc(s.key)}|value">${s.value}</a></td><td><progress max="${top}" value="${s.value}" data-path="funnel|${esc(s.key)}|value"></progress></td></tr>`;
        const parts = (s.parts ?? [])
          .map(
            (p) =>
              `<tr class="sub"><td>${esc(p.label)}</td><td class="n"><a href="${esc(funnelHref(s.key, p.key) ?? base)}" data-path="funnel|${esc(s.key)}|parts|${esc(p.key)}|value">${p.value}</a></td><td></td></tr>`,
          )
          .join('');
        return `${main}${parts}`;
      })
      .join('\n');
    const breakdownColumns = (key: 'channel' | 'tier' | 'tenure' | 'owner', label: string): Column<BreakdownRow>[] => {
      const param = (r: BreakdownRow) => ({ [key]: r.key });
      const list =
        key === 'channel' ? 'byChannel' : key === 'tier' ? 'byValueTier' : key === 'tenure' ? 'byTenure' : 'byOwner';
      const live = (field: string) => (r: BreakdownRow) => `${list}|${r.key}|${field}`;
      return [
        { label, value: (r) => (key === 'owner' ? ownerLabel(r.key) : r.key) },
        { label: 'Rows', value: (r) => r.rows, numeric: true, href: (r) => rowsHref(param(r)), path: live('rows') },
        {
          label: 'Sent',
          value: (r) => r.sent,
          numeric: true,
          href: (r) => rowsHref({ ...param(r), status: 'sent' }),
          path: live('sent'),
        },
        {
          label: 'Bounced',
          value: (r) => r.bounced,
          numeric: true,
          href: (r) => rowsHref({ ...param(r), status: 'bounced' }),
          path: live('bounced'),
        },
        {
          label: 'Failed',
          value: (r) => r.failed,
          numeric: true,
          href: (r) => rowsHref({ ...param(r), status: 'failed' }),
          path: live('failed'),
        },
        {
          label: 'Responded',
          value: (r) => r.responded,
          numeric: true,
          href: (r) => rowsHref({ ...param(r), responded: 'true' }),
          path: live('responded'),
        },
        {
          label: 'Response rate %',
          value: (r) => r.responseRate.toFixed(1),
          numeric: true,
          path: live('responseRate'),
        },
      ];
    };
    const breakdownCard = (key: 'channel' | 'tier' | 'tenure' | 'owner', title: string, label: string) =>
      `<div class="card"><h2>${esc(title)}</h2>${table(byTable[key]![1], breakdownColumns(key, label), {
        csv: `${base}${qs({ format: 'csv', table: key })}`,
      })}</div>`;
    const kpi = (label: string, path: string, value: number, href: string) =>
      `<div class="kpi">${esc(label)}<b><a href="${esc(href)}" data-path="${esc(path)}">${value}</a></b></div>`;
    const live = !isFinal(alert.status);
    const body = `<p>Topic <b>${esc(alert.topic)}</b>, requested by <b>${esc(alert.requester)}</b>; now <b id="status">${esc(alert.status.replaceAll('_', ' '))}</b>. <span id="live" class="live">${live ? 'live' : 'final figures'}</span></p>
<div class="kpis">
${kpi('Ledger rows', 'counts|total', f.counts.total, rowsHref({}))}
${kpi('Sent', 'counts|sent', f.counts.sent, rowsHref({ status: 'sent' }))}
${kpi('Pending', 'counts|pending', f.counts.pending, rowsHref({ status: 'pending' }))}
${kpi('Bounced', 'counts|bounced', f.counts.bounced, rowsHref({ status: 'bounced' }))}
${kpi('Failed', 'counts|failed', f.counts.failed, rowsHref({ status: 'failed' }))}
${kpi('Unconfirmed', 'counts|unconfirmed', f.counts.unconfirmed, rowsHref({ status: 'unconfirmed' }))}
${kpi('Responded', 'counts|responded', f.counts.responded, rowsHref({ responded: 'true' }))}
</div>
<div class="grid">
<div class="card"><h2>Funnel</h2><table><tbody>${funnel}</tbody></table><p class="muted"><a href="${esc(`${base}${qs({ format: 'csv', table: 'funnel' })}`)}">Export CSV</a> · <a href="${esc(`${base}/rows${qs({ format: 'csv' })}`)}">Every ledger row as CSV</a></p></div>
<div class="card"><h2>Sends over time, by channel</h2>${chart('sends', 'Sends over time by channel')}<h2>Responses over time, by kind</h2>${chart('responses', 'Responses over time by kind')}</div>
${breakdownCard('channel', 'By channel', 'Channel')}
${breakdownCard('tier', 'By value tier', 'Value tier')}
${breakdownCard('tenure', 'By relationship length', 'Relationship')}
${breakdownCard('owner', 'By owner', 'Owner')}
<div class="card"><h2>Unconfirmed rows</h2>${rowsTable(unconfirmed)}<p class="muted"><a href="${esc(rowsHref({ status: 'unconfirmed' }))}">All unconfirmed</a></p></div>
<div class="card"><h2>Failed rows</h2>${rowsTable(failed)}<p class="muted"><a href="${esc(rowsHref({ status: 'failed' }))}">All failed</a></p></div>
</div>
${figuresBlock(f)}`;
    return html(
      c,
      dashboardPage({
        title: alert.title,
        tab: 'alert',
        body,
        viewer: viewer(c),
        charts: true,
        ...(live ? { live: `${base}/events` } : {}),
      }),
    );
  });

  app.get('/alerts/:id/events', async (c) => {
    const id = parse(c, alertId, c.req.param('id'));
    if (id instanceof Response) return id;
    if (!(await data.alert(id))) return c.text('no such alert', 404);
    c.header('cache-control', 'no-store');
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      const queue: AlertFigures[] = [];
      const unsubscribe = data.subscribe(id, (figures) => {
        queue.splice(0, queue.length, figures);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      const keepAliveMs = (deps.keepAliveSeconds ?? 15) * 1000;
      try {
        while (!stream.aborted) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE({ event: 'figures', data: JSON.stringify(next) });
            if (isFinal(next.status as AlertStatus)) {
              await stream.writeSSE({ event: 'end', data: next.status });
              break;
            }
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, keepAliveMs).unref?.();
          });
          wake = null;
          if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });

  app.get('/alerts/:id/rows', async (c) => {
    const id = parse(c, alertId, c.req.param('id'));
    if (id instanceof Response) return id;
    const q = parse(c, rowsQuery, c.req.query());
    if (q instanceof Response) return q;
    const alert = await data.alert(id);
    if (!alert) return c.text('no such alert', 404);
    const filter = {
      ...(q.status ? { status: q.status } : {}),
      ...(q.channel ? { channel: q.channel } : {}),
      ...(q.owner !== undefined ? { ownerId: q.owner } : {}),
      ...(q.tier ? { valueTier: q.tier } : {}),
      ...(q.tenure ? { tenure: q.tenure } : {}),
      ...(q.responded ? { responded: q.responded === 'true' } : {}),
      ...(q.waiting ? { waiting: q.waiting } : {}),
    };
    if (q.format === 'csv') {
      const rows = await data.rows(id, filter, CSV_ROW_LIMIT, 0);
      return csv(
        c,
        `${id}-rows`,
        [
          'seq',
          'contact',
          'name',
          'channel',
          'sent_channel',
          'address',
          'status',
          'attempts',
          'owner',
          'value_tier',
          'relationship',
          'sent_at',
          'responded_at',
          'last_error',
        ],
        rows.map((r) => [
          r.seq,
          r.contactId,
          r.name,
          r.channel,
          r.sentChannel,
          r.address,
          r.status,
          r.attempts,
          r.ownerId,
          r.valueTier,
          r.tenure,
          r.sentAt,
          r.respondedAt,
          r.lastError,
        ]),
      );
    }
    const rows = await data.rows(id, filter, ROW_LIMIT, q.offset);
    const described = Object.entries(filter)
      .map(([k, v]) => `${k} = ${String(v)}`)
      .join(', ');
    const here = new URLSearchParams(c.req.query());
    here.set('offset', String(q.offset + ROW_LIMIT));
    const next = rows.length === ROW_LIMIT ? `<a href="?${esc(here.toString())}">Next ${ROW_LIMIT}</a> · ` : '';
    here.delete('offset');
    here.set('format', 'csv');
    const body = `<p><a href="/dashboard/alerts/${esc(encodeURIComponent(id))}">← ${esc(alert.title)}</a></p>
<p class="muted">Ledger rows${described ? ` where ${esc(described)}` : ''}, from row ${q.offset + 1}.</p>
${rowsTable(rows)}<p class="muted">${next}<a href="?${esc(here.toString())}">Export CSV</a></p>`;
    return html(c, dashboardPage({ title: `Rows of ${alert.title}`, tab: 'alert', body, viewer: viewer(c) }));
  });

  app.get('/alerts/:id/suppressed', async (c) => {
    const id = parse(c, alertId, c.req.param('id'));
    if (id instanceof Response) return id;
    const q = parse(c, z.object({ format, reason: text.optional() }), c.req.query());
    if (q instanceof Response) return q;
    const alert = await data.alert(id);
    if (!alert) return c.text('no such alert', 404);
    const rows = (await deps.deliveries.suppressions(id, CSV_ROW_LIMIT)).filter(
      (r) => !q.reason || r.reason === q.reason,
    );
    if (q.format === 'csv')
      return csv(
        c,
        `${id}-suppressed`,
        ['contact', 'list', 'reason', 'detail', 'email', 'duplicate_of'],
        rows.map((r) => [r.contactId, r.listId, r.reason, r.detail, r.email, r.duplicateOf]),
      );
    const body = `<p><a href="/dashboard/alerts/${esc(encodeURIComponent(id))}">← ${esc(alert.title)}</a></p>
${table(rows.slice(0, ROW_LIMIT), [
  { label: 'Contact', value: (r) => r.contactId },
  { label: 'Reason', value: (r) => r.reason },
  { label: 'Detail', value: (r) => r.detail },
  { label: 'Email', value: (r) => r.email },
])}<p class="muted"><a href="?${esc(new URLSearchParams({ ...(q.reason ? { reason: q.reason } : {}), format: 'csv' }).toString())}">Export CSV</a></p>`;
    return html(c, dashboardPage({ title: `Suppressed: ${alert.title}`, tab: 'alert', body, viewer: viewer(c) }));
  });

  app.get('/alerts/:id/responses', async (c) => {
    const id = parse(c, alertId, c.req.param('id'));
    if (id instanceof Response) return id;
    const q = parse(c, z.object({ format, kind: z.enum(RESPONSE_KINDS).optional() }), c.req.query());
    if (q instanceof Response) return q;
    const alert = await data.alert(id);
    if (!alert) return c.text('no such alert', 404);
    const rows = (await deps.responses.forAlert(id)).filter((r) => !q.kind || r.kind === q.kind);
    if (q.format === 'csv')
      return csv(
        c,
        `${id}-responses`,
        ['id', 'contact', 'kind', 'received_at', 'handled_at', 'body'],
        rows.map((r) => [r.id, r.contactId, r.kind, r.receivedAt, r.handledAt, r.body]),
      );
    const body = `<p><a href="/dashboard/alerts/${esc(encodeURIComponent(id))}">← ${esc(alert.title)}</a></p>
${table(rows.slice(0, ROW_LIMIT), [
  { label: 'Received', value: (r) => r.receivedAt.slice(0, 19).replace('T', ' ') },
  { label: 'Contact', value: (r) => r.contactId },
  { label: 'Kind', value: (r) => r.kind },
  { label: 'Body', value: (r) => r.body?.slice(0, 300) },
])}<p class="muted"><a href="?${esc(new URLSearchParams({ ...(q.kind ? { kind: q.kind } : {}), format: 'csv' }).toString())}">Export CSV</a></p>`;
    return html(c, dashboardPage({ title: `Responses: ${alert.title}`, tab: 'alert', body, viewer: viewer(c) }));
  });

  crowsNestRoutes(app, data);

  return app;
}

function rowsTable(rows: LedgerRowView[]): string {
  return table(
    rows,
    [
      { label: '#', value: (r) => r.seq, numeric: true },
      { label: 'Customer', value: (r) => r.name ?? r.contactId },
      { label: 'Channel', value: (r) => r.sentChannel ?? r.channel },
      { label: 'Address', value: (r) => r.address },
      { label: 'Status', value: (r) => r.status },
      { label: 'Tries', value: (r) => r.attempts, numeric: true },
      { label: 'Owner', value: (r) => ownerLabel(r.ownerId ?? '') },
      { label: 'Sent', value: (r) => r.sentAt?.slice(11, 19) },
      { label: 'Error', value: (r) => r.lastError },
    ],
    { empty: 'None.' },
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}
