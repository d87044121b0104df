import type { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardData } from '../../services/dashboard.js';
import type { DashboardEnv } from './auth-seam.js';
import { CSV_ROW_LIMIT, csv, format, html, ownerLabel, parse, ROW_LIMIT, text, viewer } from './route-kit.js';
import { chart, dashboardPage, esc, figuresBlock, qs, table } from './views.js';

const crowsQuery = z.object({
  format,
  days: z.coerce.number().int().min(1).max(3650).default(30),
  weeks: z.coerce.number().int().min(1).max(104).default(8),
  overdue: z.coerce.number().int().min(0).max(365).default(3),
  table: z.enum(['untouched', 'reps', 'questions', 'overdue', 'actions']).optional(),
});
const ruleId = z.string().regex(/^[a-z][a-z0-9_-]{1,60}$/, 'not a rule id');
const actionsQuery = z.object({ format, rule: ruleId.optional(), owner: text.optional() });
const untouchedQuery = z.object({
  format,
  days: z.coerce.number().int().min(1).max(3650).default(30),
  tier: text.optional(),
  owner: text.optional(),
});
const answeredQuery = z.object({
  format,
  tier: text.optional(),
  question: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,60}$/, 'not a question id')
    .optional(),
  answered: z.enum(['true', 'false']).optional(),
});
const touchesQuery = z.object({
  format,
  weeks: z.coerce.number().int().min(1).max(104).default(8),
  rep: text.optional(),
  week: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
    .optional(),
  channel: text.optional(),
});

/**
 * The crow's nest (/dashboard/crows-nest): customers not touched, touches per rep, what the
 * relationship has learned, follow-ups overdue, next best actions pending; and a page for the
 * records behind each of its numbers (contacts, touches), each with its CSV export.
 */
export function crowsNestRoutes(app: Hono<DashboardEnv>, data: DashboardData): void {
  app.get('/crows-nest', async (c) => {
    const q = parse(c, crowsQuery, c.req.query());
    if (q instanceof Response) return q;
    const f = await data.crowsNest({ days: q.days, weeks: q.weeks, overdueDays: q.overdue });
    const untouchedHref = (tier?: string, owner?: string | null) =>
      `/dashboard/crows-nest/untouched${qs({ days: q.days, tier, owner: owner === undefined ? undefined : (owner ?? '') })}`;
    if (q.format === 'csv') {
      switch (q.table ?? 'untouched') {
        case 'untouched':
          return csv(
            c,
            'untouched',
            ['value_tier', 'owner', 'contacts'],
            f.untouched.map((u) => [u.valueTier, u.ownerId, u.contacts]),
          );
        case 'reps':
          return csv(
            c,
            'touches-per-rep',
            ['rep', 'week', 'channel', 'touches'],
            f.perRep.map((r) => [r.rep, r.week, r.channel, r.touches]),
          );
        case 'questions':
          return csv(
            c,
            'questions-answered',
            ['value_tier', 'contacts', ...f.questions.map((x) => x.id)],
            f.answered.map((a) => [a.valueTier, a.contacts, ...f.questions.map((x) => a.answered[x.id] ?? 0)]),
          );
        case 'overdue':
          return csv(
            c,
            'follow-ups-overdue',
            ['alert', 'contact', 'name', 'kind', 'received_at', 'owner'],
            f.overdue.map((o) => [o.alertId, o.contactId, o.name, o.kind, o.receivedAt, o.ownerId]),
          );
        case 'actions':
          return csv(
            c,
            'next-best-actions-pending',
            ['rule', 'action', 'owner', 'contacts', 'oldest_since'],
            f.pending.map((p) => [p.ruleId, p.action, p.ownerId, p.contacts, p.oldestSince]),
          );
      }
    }
    const actionsHref = (rule?: string, owner?: string | null) =>
      `/dashboard/crows-nest/actions${qs({ rule, owner: owner === undefined ? undefined : (owner ?? '') })}`;
    const pendingTotal = f.pending.reduce((a, p) => a + p.contacts, 0);
    const coverage = f.coverage.oldestComputedAt
      ? `Worked out for ${f.coverage.computed} of ${f.coverage.contacts} contacts; the oldest at ${esc(f.coverage.oldestComputedAt.slice(0, 16).replace('T', ' '))} UTC.`
      : `Not worked out yet for any of ${f.coverage.contacts} contacts.`;
    const total = f.untouched.reduce((a, u) => a + u.contacts, 0);
    const reps = [...new Set(f.perRep.map((r) => r.rep))];
    const weeks = [...new Set(f.perRep.map((r) => r.week))].sort();
    const perRepRows = reps.flatMap((rep) =>
      [...new Set(f.perRep.filter((r) => r.rep === rep).map((r) => r.channel))].map((channel) => ({
        rep,
        channel,
        byWeek: Object.fromEntries(
          f.perRep.filter((r) => r.rep === rep && r.channel === channel).map((r) => [r.week, r.touches]),
        ),
      })),
    );
    const weekly = {
      x: weeks.map((w) => Date.parse(`${w}T00:00:00Z`) / 1000),
      series: reps.map((rep) => ({
        name: rep,
        values: weeks.map((w) =>
          f.perRep.filter((r) => r.rep === rep && r.week === w).reduce((a, r) => a + r.touches, 0),
        ),
      })),
    };
    const body = `<form class="inline" method="get" action="/dashboard/crows-nest"><label>Not touched in <input name="days" type="number" min="1" max="3650" value="${q.days}"> days</label> <button type="submit">Show</button></form>
<div class="grid">
<div class="card"><h2>Customers not touched in ${q.days} days: <a href="${esc(untouchedHref())}" id="untouched-total">${total}</a></h2>${table(
      f.untouched,
      [
        { label: 'Value tier', value: (u) => u.valueTier },
        { label: 'Owner', value: (u) => ownerLabel(u.ownerId ?? '') },
        {
          label: 'Contacts',
          value: (u) => u.contacts,
          numeric: true,
          href: (u) => untouchedHref(u.valueTier, u.ownerId),
        },
      ],
      {
        csv: `/dashboard/crows-nest${qs({ days: q.days, format: 'csv', table: 'untouched' })}`,
        empty: 'Every customer was touched.',
      },
    )}</div>
<div class="card"><h2>Touches per rep per week</h2>${chart('reps', 'Touches per rep per week')}${table(
      perRepRows,
      [
        { label: 'Rep', value: (r) => r.rep },
        { label: 'Channel', value: (r) => r.channel },
        ...weeks.map((w) => ({
          label: w,
          value: (r: (typeof perRepRows)[number]) => r.byWeek[w] ?? 0,
          numeric: true,
          href: (r: (typeof perRepRows)[number]) =>
            r.byWeek[w]
              ? `/dashboard/crows-nest/touches${qs({ weeks: q.weeks, rep: r.rep, week: w, channel: r.channel })}`
              : null,
        })),
      ],
      {
        csv: `/dashboard/crows-nest${qs({ weeks: q.weeks, format: 'csv', table: 'reps' })}`,
        empty: 'No touch logged in these weeks.',
      },
    )}</div>
<div class="card"><h2>What the relationship has learned</h2><p class="muted">Share of contacts with an answer to each question (answers logged with touches), by value tier.</p>${table(
      f.answered,
      [
        { label: 'Value tier', value: (a) => a.valueTier },
        {
          label: 'Contacts',
          value: (a) => a.contacts,
          numeric: true,
          href: (a) => `/dashboard/crows-nest/answered${qs({ tier: a.valueTier })}`,
        },
        ...f.questions.map((x) => ({
          label: x.id.replaceAll('_', ' '),
          value: (a: (typeof f.answered)[number]) =>
            `${(((a.answered[x.id] ?? 0) / Math.max(1, a.contacts)) * 100).toFixed(1)}% (${a.answered[x.id] ?? 0})`,
          numeric: true,
          href: (a: (typeof f.answered)[number]) =>
            `/dashboard/crows-nest/answered${qs({ tier: a.valueTier, question: x.id, answered: 'true' })}`,
        })),
      ],
      { csv: `/dashboard/crows-nest${qs({ format: 'csv', table: 'questions' })}` },
    )}</div>
<div class="card"><h2>Follow-ups overdue</h2><p class="muted">Customers who asked to be called or said they were interested more than ${q.overdue} day(s) ago, with no touch logged since.</p>${table(
      f.overdue.slice(0, 100),
      [
        { label: 'Customer', value: (o) => o.name ?? o.contactId },
        { label: 'Asked', value: (o) => o.kind },
        { label: 'When', value: (o) => o.receivedAt.slice(0, 16).replace('T', ' ') },
        { label: 'Owner', value: (o) => ownerLabel(o.ownerId ?? '') },
        {
          label: 'Alert',
          value: (o) => o.alertId,
          href: (o) => `/dashboard/alerts/${encodeURIComponent(o.alertId)}/responses`,
        },
      ],
      {
        csv: `/dashboard/crows-nest${qs({ overdue: q.overdue, format: 'csv', table: 'overdue' })}`,
        empty: 'None overdue.',
      },
    )}</div>
<div class="card"><h2>Next best actions pending: <a href="${esc(actionsHref())}" id="actions-total">${pendingTotal}</a></h2><p class="muted">Each customer's next best action by the rules, pending until a touch is logged for them. ${coverage}</p>${table(
      f.pending,
      [
        { label: 'Action', value: (p) => p.action },
        { label: 'Owner', value: (p) => ownerLabel(p.ownerId ?? '') },
        {
          label: 'Contacts',
          value: (p) => p.contacts,
          numeric: true,
          href: (p) => actionsHref(p.ruleId, p.ownerId),
        },
        { label: 'Waiting since', value: (p) => p.oldestSince.slice(0, 10) },
      ],
      {
        csv: `/dashboard/crows-nest${qs({ format: 'csv', table: 'actions' })}`,
        empty: 'No next best action pending.',
      },
    )}</div>
</div>
${figuresBlock({ reps: weekly })}`;
    return html(
      c,
      dashboardPage({ title: "The crow's nest", tab: 'crows-nest', body, viewer: viewer(c), charts: true }),
    );
  });

  app.get('/crows-nest/actions', async (c) => {
    const q = parse(c, actionsQuery, c.req.query());
    if (q instanceof Response) return q;
    const rows = await data.pendingActionContacts(
      { ...(q.rule ? { ruleId: q.rule } : {}), ...(q.owner !== undefined ? { ownerId: q.owner } : {}) },
      q.format === 'csv' ? CSV_ROW_LIMIT : ROW_LIMIT,
    );
    if (q.format === 'csv')
      return csv(
        c,
        'next-best-actions',
        ['contact', 'name', 'email', 'owner', 'value_tier', 'rule', 'action', 'since', 'computed_at', 'last_touch_at'],
        rows.map((r) => [
          r.id,
          r.name,
          r.email,
          r.ownerId,
          r.valueTier,
          r.ruleId,
          r.action,
          r.since,
          r.computedAt,
          r.lastTouchAt,
        ]),
      );
    const here = new URLSearchParams(c.req.query());
    here.set('format', 'csv');
    const title = q.rule ? `Pending: ${data.actionLabel(q.rule)}` : 'Next best actions pending';
    const body = `<p><a href="/dashboard/crows-nest">← The crow's nest</a></p>
${table(rows, [
  { label: 'Customer', value: (r) => r.name },
  { label: 'Email', value: (r) => r.email },
  { label: 'Owner', value: (r) => ownerLabel(r.ownerId ?? '') },
  { label: 'Value tier', value: (r) => r.valueTier },
  { label: 'Next best action', value: (r) => r.action },
  { label: 'Since', value: (r) => r.since.slice(0, 10) },
  { label: 'Last touch', value: (r) => r.lastTouchAt?.slice(0, 10) ?? 'never' },
])}<p class="muted"><a href="?${esc(here.toString())}">Export CSV</a></p>`;
    return html(c, dashboardPage({ title, tab: 'crows-nest', body, viewer: viewer(c) }));
  });

  app.get('/crows-nest/answered', async (c) => {
    const q = parse(c, answeredQuery, c.req.query());
    if (q instanceof Response) return q;
    const rows = await data.answeredContacts(
      {
        ...(q.tier ? { valueTier: q.tier } : {}),
        ...(q.question ? { question: q.question } : {}),
        ...(q.answered ? { answered: q.answered === 'true' } : {}),
      },
      q.format === 'csv' ? CSV_ROW_LIMIT : ROW_LIMIT,
    );
    if (q.format === 'csv')
      return csv(
        c,
        `answered${q.question ? `-${q.question}` : ''}`,
        ['contact', 'name', 'email', 'owner', 'value_tier', 'answer', 'answered_at'],
        rows.map((r) => [r.id, r.name, r.email, r.ownerId, r.valueTier, r.answer, r.answeredAt]),
      );
    const here = new URLSearchParams(c.req.query());
    here.set('format', 'csv');
    const what = q.question
      ? `${q.answered === 'false' ? 'without' : 'with'} an answer to ${q.question.replaceAll('_', ' ')}`
      : 'in the read model';
    const body = `<p><a href="/dashboard/crows-nest">← The crow's nest</a></p>
<p class="muted">Contacts${q.tier ? ` of value tier ${esc(q.tier)}` : ''} ${esc(what)} (answers logged with touches).</p>
${table(rows, [
  { label: 'Customer', value: (r) => r.name },
  { label: 'Email', value: (r) => r.email },
  { label: 'Owner', value: (r) => ownerLabel(r.ownerId ?? '') },
  { label: 'Value tier', value: (r) => r.valueTier },
  ...(q.question
    ? [
        { label: 'Answer', value: (r: (typeof rows)[number]) => r.answer?.slice(0, 300) },
        { label: 'Answered', value: (r: (typeof rows)[number]) => r.answeredAt?.slice(0, 10) },
      ]
    : []),
])}<p class="muted"><a href="?${esc(here.toString())}">Export CSV</a></p>`;
    return html(
      c,
      dashboardPage({ title: 'What the relationship has learned', tab: 'crows-nest', body, viewer: viewer(c) }),
    );
  });

  app.get('/crows-nest/touches', async (c) => {
    const q = parse(c, touchesQuery, c.req.query());
    if (q instanceof Response) return q;
    const rows = await data.touchesOf(
      {
        weeks: q.weeks,
        ...(q.rep ? { rep: q.rep } : {}),
        ...(q.week ? { week: q.week } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
      },
      q.format === 'csv' ? CSV_ROW_LIMIT : ROW_LIMIT,
    );
    if (q.format === 'csv')
      return csv(
        c,
        'touches',
        ['touch', 'occurred_at', 'rep', 'channel', 'contact', 'name', 'status', 'summary'],
        rows.map((r) => [r.id, r.occurredAt, r.rep, r.channel, r.contactId, r.name, r.status, r.summary]),
      );
    const here = new URLSearchParams(c.req.query());
    here.set('format', 'csv');
    const body = `<p><a href="/dashboard/crows-nest${qs({ weeks: q.weeks })}">← The crow's nest</a></p>
<p class="muted">Touches${q.rep ? ` logged by ${esc(q.rep)}` : ''}${q.week ? ` in the week of ${esc(q.week)}` : ''}${q.channel ? ` by ${esc(q.channel)}` : ''}.</p>
${table(rows, [
  { label: 'When', value: (r) => r.occurredAt.slice(0, 16).replace('T', ' ') },
  { label: 'Rep', value: (r) => r.rep },
  { label: 'Channel', value: (r) => r.channel },
  { label: 'Customer', value: (r) => r.name ?? r.contactId },
  { label: 'Summary', value: (r) => r.summary.slice(0, 200) },
  { label: 'CRM', value: (r) => r.status },
])}<p class="muted"><a href="?${esc(here.toString())}">Export CSV</a></p>`;
    return html(c, dashboardPage({ title: 'Touches', tab: 'crows-nest', body, viewer: viewer(c) }));
  });

  app.get('/crows-nest/untouched', async (c) => {
    const q = parse(c, untouchedQuery, c.req.query());
    if (q instanceof Response) return q;
    const rows = await data.untouchedContacts(
      q.days,
      { ...(q.tier ? { valueTier: q.tier } : {}), ...(q.owner !== undefined ? { ownerId: q.owner } : {}) },
      q.format === 'csv' ? CSV_ROW_LIMIT : ROW_LIMIT,
    );
    if (q.format === 'csv')
      return csv(
        c,
        'untouched-contacts',
        ['contact', 'name', 'email', 'owner', 'value_tier', 'last_touch_at'],
        rows.map((r) => [r.id, r.name, r.email, r.ownerId, r.valueTier, r.lastTouchAt]),
      );
    const here = new URLSearchParams(c.req.query());
    here.set('format', 'csv');
    const body = `<p><a href="/dashboard/crows-nest${qs({ days: q.days })}">← The crow's nest</a></p>
${table(rows, [
  { label: 'Customer', value: (r) => r.name },
  { label: 'Email', value: (r) => r.email },
  { label: 'Owner', value: (r) => ownerLabel(r.ownerId ?? '') },
  { label: 'Value tier', value: (r) => r.valueTier },
  { label: 'Last touch', value: (r) => r.lastTouchAt?.slice(0, 10) ?? 'never' },
])}<p class="muted"><a href="?${esc(here.toString())}">Export CSV</a></p>`;
    return html(
      c,
      dashboardPage({ title: `Not touched in ${q.days} days`, tab: 'crows-nest', body, viewer: viewer(c) }),
    );
  });
}
