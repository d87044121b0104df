import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ulid } from 'ulid';
import { DomainError } from '../../domain/errors.js';
import type { TrailEntry } from '../../domain/broadcast/trail.js';
import { resendWarning, type AlertTrail } from '../../services/alert-trail.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { ForgedLinks } from '../forged-links.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { formBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { errors, html } from '../openapi/responses.js';
import { esc, page } from '../pages.js';
import { trailCsv } from './trail.js';

export interface TrailPageDeps {
  alerts: AlertStore;
  trail: AlertTrail;
  forgedLinks: ForgedLinks;
}

const tags = ['links'];
const tokenParams = z.object({ token: z.string().min(1).max(100) });
const pageQuery = z.object({ cursor: z.string().max(200).optional() }).strict();
const resendForm = z
  .object({
    confirm: z.enum(['yes']).optional(),
    key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
  })
  .meta({ id: 'TrailResendForm' });
const refusals = { 403: html('The link is not valid.'), 404: html('The alert of the link no longer exists.') };

/** Entries per page of the trail page. */
const PAGE_SIZE = 200;

const open = createRoute({
  method: 'get',
  path: '/{token}',
  tags,
  summary: "An alert's trail page (a signed link for one person)",
  description:
    'The trail as a table, 200 steps a page. The requester and approvers can resend to unconfirmed rows from it (a confirm step). Links come in the Slack messages, the summary email and the add-in.',
  request: { params: tokenParams, query: pageQuery },
  responses: { 200: html('The trail.'), ...refusals, ...errors(400, 429) },
});

const csv = createRoute({
  method: 'get',
  path: '/{token}/trail.csv',
  tags,
  summary: "An alert's trail as CSV, from its trail page",
  request: { params: tokenParams },
  responses: {
    200: { description: 'The trail as CSV.', content: { 'text/csv': { schema: { type: 'string' } } } },
    ...refusals,
    ...errors(400, 429),
  },
});

const resend = createRoute({
  method: 'post',
  path: '/{token}/resend',
  tags,
  summary: 'Resend to the unconfirmed rows, from the trail page',
  description:
    'Without `confirm=yes`: a page saying plainly that some may already have the message, with the confirming form. With it: the resend, once per `key`.',
  middleware: [
    bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.html(page('Too large', '<p>The form is too large.</p>'), 400) }),
    otherMediaTypeAsEmpty('form', resendForm),
  ],
  request: { params: tokenParams, body: formBody(resendForm) },
  responses: {
    200: html('The confirm step, or the resend under way.'),
    ...refusals,
    409: html('Nothing to resend, or not yet.'),
    ...errors(400, 429),
  },
});

const cell = (v: string | number | null) => `<td>${v === null ? '' : esc(String(v))}</td>`;
const COLUMNS: [keyof TrailEntry, string][] = [
  ['at', 'When'],
  ['step', 'Step'],
  ['actor', 'Who'],
  ['version', 'Version'],
  ['contactId', 'Contact'],
  ['channel', 'Channel'],
  ['outcome', 'Outcome'],
  ['attempts', 'Tries'],
  ['fallback', 'Fallback'],
  ['crmId', 'CRM id'],
  ['detail', 'Detail'],
];

/**
 * The trail page behind a signed link made for one person (server/routes/trail.ts makes one for
 * a signed-in reader; the Slack messages, approver DMs, the add-in and the summary email carry
 * theirs). No scripts; every value escaped; GET never changes anything.
 */
export function trailPageRoutes(deps: TrailPageDeps) {
  type Opened = { ok: true; alert: AlertRow; person: string } | { ok: false; status: 403 | 404 };
  async function opened(c: Context<AppEnv>, token: string): Promise<Opened> {
    const link = await deps.trail.openLink(token);
    if (!link) {
      deps.forgedLinks.refused('trail', c.req.path, c.get('log'));
      return { ok: false, status: 403 };
    }
    const alert = await deps.alerts.get(link.alertId);
    return alert ? { ok: true, alert, person: link.person } : { ok: false, status: 404 };
  }
  const refused = (c: Context<AppEnv>, status: 403 | 404 | 409, message: string) =>
    c.html(page('This link cannot be used', `<p>${esc(message)}</p>`), status);
  const REFUSED = {
    403: 'this trail link is not valid, or has expired',
    404: 'the alert of this link no longer exists',
  };

  return apiApp()
    .openapi(open, async (c) => {
      const { token } = c.req.valid('param');
      const o = await opened(c, token);
      if (!o.ok) return refused(c, o.status, REFUSED[o.status]);
      const { alert, person } = o;
      const cursor = c.req.valid('query').cursor;
      let trail;
      try {
        trail = await deps.trail.page(alert.id, cursor, PAGE_SIZE);
      } catch (error) {
        if (error instanceof DomainError)
          return c.html(page('Not a page of this trail', `<p>${esc(error.message)}</p>`), 400);
        throw error;
      }
      const unconfirmed = await deps.trail.unconfirmed(alert.id);
      const mayResend = unconfirmed > 0 && (await deps.trail.mayResend(alert, person));
      c.header('cache-control', 'no-store');
      return c.html(
        page(
          `Trail: ${alert.title}`,
          `<p>Alert ${esc(alert.id)}, requested by <strong>${esc(alert.requester)}</strong>, topic <strong>${esc(alert.topic)}</strong>; now <strong>${esc(alert.status.replaceAll('_', ' '))}</strong>.</p>
${
  mayResend
    ? `<form method="post" action="/trail/${esc(token)}/resend"><p>${unconfirmed} delivery(ies) are unconfirmed. <button type="submit">Resend to the unconfirmed…</button></p></form>`
    : unconfirmed > 0
      ? `<p class="muted">${unconfirmed} delivery(ies) are unconfirmed; the requester or an approver can resend them.</p>`
      : ''
}
<div class="scroll"><table><thead><tr>${COLUMNS.map(([, label]) => `<th>${label}</th>`).join('')}</tr></thead><tbody>
${trail.entries.map((e) => `<tr>${COLUMNS.map(([k]) => cell(e[k])).join('')}</tr>`).join('\n')}
</tbody></table></div>
<p>${trail.next ? `<a href="/trail/${esc(token)}?cursor=${esc(trail.next)}">Next ${PAGE_SIZE} steps</a> · ` : ''}<a href="/trail/${esc(token)}/trail.csv">The whole trail as CSV</a></p>
<p class="muted">Shown to ${esc(person)}. This link is yours: whoever holds it can read the trail.</p>`,
        ),
      );
    })
    .openapi(csv, async (c) => {
      const o = await opened(c, c.req.valid('param').token);
      if (!o.ok) return refused(c, o.status, REFUSED[o.status]);
      return trailCsv(c, deps.trail, o.alert.id) as never;
    })
    .openapi(resend, async (c) => {
      const { token } = c.req.valid('param');
      const o = await opened(c, token);
      if (!o.ok) return refused(c, o.status, REFUSED[o.status]);
      const { alert, person } = o;
      const form = c.req.valid('form');
      c.header('cache-control', 'no-store');
      if (form.confirm !== 'yes') {
        const rows = await deps.trail.unconfirmed(alert.id);
        if (!(await deps.trail.mayResend(alert, person)))
          return refused(c, 403, 'only the requester or an approver of the alert can resend it');
        if (rows === 0) return refused(c, 409, 'no delivery of this alert is unconfirmed: nothing to resend');
        return c.html(
          page(
            'Resend to the unconfirmed?',
            `<div class="box"><p>${esc(resendWarning(rows))}</p></div>
<form method="post" action="/trail/${esc(token)}/resend"><input type="hidden" name="confirm" value="yes"><input type="hidden" name="key" value="${ulid()}">
<button type="submit">Yes, resend to ${rows}</button></form>
<p><a href="/trail/${esc(token)}">No, back to the trail</a></p>`,
          ),
        );
      }
      try {
        const result = await deps.trail.resend(alert, person, {
          confirm: true,
          ...(form.key ? { key: form.key } : {}),
        });
        return c.html(
          page('Resending', `<p>${esc(result.message)}</p><p><a href="/trail/${esc(token)}">Back to the trail</a></p>`),
        );
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return refused(c, error.code === 'FORBIDDEN' ? 403 : 409, error.message);
      }
    });
}
