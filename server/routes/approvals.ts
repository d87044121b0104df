import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { renderMarkdown } from '../../channels/email/markdown.js';
import { approvalForm, approvalTokenParams } from '../../contracts/index.js';
import { unconfiguredNote, type AudienceSummary } from '../../domain/audience/summary.js';
import { verifyToken } from '../../domain/broadcast/signed-token.js';
import { sendTimingWords } from '../../domain/broadcast/send-timing.js';
import { CHANNEL_LABELS, isChannel } from '../../domain/vocabulary/index.js';
import { DomainError } from '../../domain/errors.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { ApprovalLinkRow, ApprovalStore } from '../../store/approvals.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import type { ForgedLinks } from '../forged-links.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { formBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { ERROR_CONTENT, errors, HTML_CONTENT, html } from '../openapi/responses.js';
import { esc, page } from '../pages.js';

export interface ApprovalRoutesDeps {
  alertIntake: AlertIntake;
  alerts: AlertStore;
  approvals: ApprovalStore;
  secret: string;
  /** Links with a MAC Rapport never made: counted and sampled in the log, never a row each. */
  forgedLinks: ForgedLinks;
}

const tags = ['links'];
const refusals = {
  403: html('The link is not valid (refused; forged links are counted in the log, others audited).'),
  404: html('The alert of the link no longer exists.'),
  409: html('The link was used already, or is for an older version.'),
  410: html('The link has expired.'),
};

const open = createRoute({
  method: 'get',
  path: '/{token}',
  tags,
  summary: 'The confirmation page of an approval link',
  description:
    'Shows the alert and a form; deciding takes the POST from that page (mail scanners follow GET links). A link is bound to one approver and one version, expires, and works once; every misuse is audited.',
  request: { params: approvalTokenParams },
  responses: {
    200: html('The alert and the decision form.'),
    ...refusals,
    ...errors(400, 429),
  },
});

const decide = createRoute({
  method: 'post',
  path: '/{token}',
  tags,
  summary: "The approver's decision from the confirmation page",
  middleware: [
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => c.html(page('Too large', '<p>The form is too large.</p>'), 400),
    }),
    otherMediaTypeAsEmpty('form', approvalForm),
  ],
  request: { params: approvalTokenParams, body: formBody(approvalForm) },
  responses: {
    200: html('Decided.'),
    ...refusals,
    ...errors(429),
    400: {
      description: 'The form is not valid (JSON), too large, or lacks the reason a rejection needs (a page).',
      content: { ...HTML_CONTENT, ...ERROR_CONTENT },
    },
  },
});

type Status = 400 | 403 | 404 | 409 | 410;
type Checked = { ok: true; link: ApprovalLinkRow; alert: AlertRow } | { ok: false; status: Status; message: string };

/**
 * Signed approval links from the approval email. GET only shows a confirmation page (mail
 * scanners follow GET links); the POST from that page decides. A link is bound to one approver
 * and one version, expires, and works once; every misuse answers 4xx and is audited, but for
 * forged links (counted and sampled in the log: anyone can send them).
 */
/** "Email 12 · SMS 3": the channels deliveries will really take (channels without an adapter are not among them). */
function channelMixWords(summary: AudienceSummary): string {
  const parts = Object.entries(summary.channelMix)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${isChannel(c) ? CHANNEL_LABELS[c] : c} ${n}`);
  return parts.join(' · ') || 'none';
}

/** The urgent box is offered when the alert's topic has an announced time and lets approvers skip it. */
function offersUrgent(summary: AudienceSummary | null): boolean {
  return summary?.timing?.urgentAllowed === true && summary.timing.schedule !== null;
}

export function approvalRoutes(deps: ApprovalRoutesDeps) {
  async function check(c: Context<AppEnv>, token: string, action: string): Promise<Checked> {
    const id = verifyToken(deps.secret, 'approval', token);
    if (!id) {
      // Anyone can send these: a count and a sampled log line, not an audit row each.
      deps.forgedLinks.refused('approval', c.req.path, c.get('log'));
      return { ok: false, status: 403, message: 'this approval link is not valid' };
    }
    const link = await deps.approvals.getLink(id);
    const refuse = async (status: Status, message: string, l?: ApprovalLinkRow | null): Promise<Checked> => {
      await deps.approvals.audit({
        alertId: l?.alertId ?? null,
        version: l?.version ?? null,
        actor: l?.approver ?? null,
        action,
        outcome: 'refused',
        source: 'link',
        detail: `${status}: ${message}`,
      });
      return { ok: false, status, message };
    };
    // Signed by Rapport but not in the store: only Rapport can make these, so each is audited.
    if (!link) return refuse(403, 'this approval link is not valid');
    const alert = await deps.alerts.get(link.alertId);
    if (!alert) return refuse(404, 'the alert of this link no longer exists', link);
    if (link.usedAt) return refuse(409, `this link was already used (${link.usedDecision ?? 'decided'})`, link);
    if (Date.parse(link.expiresAt) <= Date.now()) return refuse(410, 'this approval link has expired', link);
    if (link.version !== alert.version) {
      return refuse(
        409,
        `this link is for version ${link.version}; the alert is now at version ${alert.version}`,
        link,
      );
    }
    return { ok: true, link, alert };
  }

  const refusalPage = (c: Context<AppEnv>, status: Status, message: string) =>
    c.html(page('This link cannot be used', `<p>${esc(message)}</p>`), status);

  return apiApp()
    .openapi(open, async (c) => {
      const checked = await check(c, c.req.valid('param').token, 'open-link');
      if (!checked.ok) return refusalPage(c, checked.status, checked.message);
      const { alert, link } = checked;
      const preview = renderMarkdown(alert.body);
      const summary = alert.summary;
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
      return c.html(
        page(
          `Approve alert: ${alert.title}`,
          `<p>Requested by <strong>${esc(alert.requester)}</strong>, topic <strong>${esc(alert.topic)}</strong>, version ${alert.version}.</p>
<div class="box"><p><strong>${esc(alert.title)}</strong></p>${preview.html}</div>
${
  summary
    ? `<p>Audience: <strong>${summary.deliveries}</strong> recipients from ${summary.totalMemberships} list memberships
(${summary.uniqueContacts} unique contacts; ${summary.duplicates} duplicates folded; ${summary.delayedByQuietHours} delayed by quiet hours).</p>
<p>Channels: ${esc(channelMixWords(summary))}</p>${
        unconfiguredNote(summary) ? `\n<p><strong>${esc(unconfiguredNote(summary)!)}</strong></p>` : ''
      }${summary.timing ? `\n<p>When: ${esc(sendTimingWords(summary.timing, new Date()))}</p>` : ''}`
    : ''
}
<form method="post">
<p><label>Reason or comment (needed to reject or request changes)<br><textarea name="reason" maxlength="2000"></textarea></label></p>${
            offersUrgent(summary)
              ? `\n<p><label><input type="checkbox" name="urgent" value="on"> Urgent: send to everyone now, not at the topic's announced time (recorded in the audit)</label></p>`
              : ''
          }
<button type="submit" name="decision" value="approve">Approve and send</button>
<button type="submit" name="decision" value="reject">Reject</button>
<button type="submit" name="decision" value="request_changes">Request changes</button>
</form>
<p class="muted">Deciding as ${esc(link.approver)}. This link works once and expires ${esc(link.expiresAt)}.</p>`,
        ),
      );
    })
    .openapi(decide, async (c) => {
      const form = { data: c.req.valid('form') };
      const checked = await check(c, c.req.valid('param').token, form.data.decision);
      if (!checked.ok) return refusalPage(c, checked.status, checked.message);
      const { link, alert } = checked;
      // Claimed before the decision: two posts of one link cannot both decide.
      if (!(await deps.approvals.useLink(link.id, form.data.decision))) {
        await deps.approvals.audit({
          alertId: alert.id,
          version: link.version,
          actor: link.approver,
          action: form.data.decision,
          outcome: 'refused',
          source: 'link',
          detail: '409: this link was already used',
        });
        return refusalPage(c, 409, 'this link was already used');
      }
      const reason = form.data.reason?.trim() || undefined;
      try {
        await deps.alertIntake.decide(
          alert,
          {
            approver: link.approver,
            decision: form.data.decision,
            version: link.version,
            ...(reason ? { reason } : {}),
            ...(form.data.urgent ? { urgent: true } : {}),
          },
          'link',
        );
      } catch (error) {
        if (!(error instanceof DomainError)) {
          await deps.approvals.releaseLink(link.id);
          throw error;
        }
        // A missing reason is the approver's to fix on the same page; everything else uses the link up.
        if (error.code === 'VALIDATION') await deps.approvals.releaseLink(link.id);
        const status =
          ({ FORBIDDEN: 403, CONFLICT: 409, GONE: 410, VALIDATION: 400 } as Record<string, Status>)[error.code] ?? 409;
        return refusalPage(c, status, error.message);
      }
      const timing = alert.summary?.timing;
      const words = {
        approve: timing
          ? `approved; it goes out: ${sendTimingWords(timing, new Date(), form.data.urgent !== undefined, true)}`
          : 'approved; it is being sent',
        reject: 'rejected',
        request_changes: 'sent back to the requester',
      };
      return c.html(page('Thank you', `<p>The alert "${esc(alert.title)}" was ${words[form.data.decision]}.</p>`));
    });
}
