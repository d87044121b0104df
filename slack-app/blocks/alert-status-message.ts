import type { types } from '@slack/bolt';
import { clip, SLACK_LIMITS } from '../../channels/slack/limits.js';
import { slackMessage, type SlackMessage } from '../../channels/slack/message.js';
import { mk, mkJoin, mkQuote, mrkdwnLink, type Mrkdwn } from '../../channels/slack/mrkdwn.js';
import { unconfiguredNote, type AudienceSummary } from '../../domain/audience/summary.js';
import { sendTimingWords } from '../../domain/broadcast/send-timing.js';
import type { DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import {
  CHANNEL_LABELS,
  isCancellable,
  isChannel,
  isSending,
  type AlertStatus,
} from '../../domain/vocabulary/index.js';
import { ACTIONS } from '../ids.js';
import { mrkdwn, plain } from './alert-view-parts.js';

type KnownBlock = types.KnownBlock;

/** What the Slack messages of one alert show; all read from the store. */
export interface AlertSnapshot {
  id: string;
  title: string;
  body: string;
  topic: string;
  requester: string;
  status: AlertStatus;
  version: number;
  summary: AudienceSummary | null;
  counts: DeliveryCounts | null;
  decidedBy: string | null;
  decisionComment: string | null;
  approvedAt: string | null;
  responses: number;
  /** The alert's workflow in the Temporal Web UI (TEMPORAL_UI_URL); absent when not configured. */
  workflowUrl?: string;
}

/** A Block Kit text progress bar: "▓▓▓▓▓░░░░░ 50%". */
export function progressBar(done: number, total: number, width = 20): string {
  if (total <= 0) return `${'░'.repeat(width)} 0%`;
  const ratio = Math.max(0, Math.min(1, done / total));
  const filled = Math.round(ratio * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(ratio * 100)}%`;
}

const STATUS_LINE: Record<AlertStatus, string> = {
  resolving: '⏳ Working out the audience…',
  awaiting_approval: '🕒 Waiting for approval',
  changes_requested: '✏️ Changes requested',
  rejected: '❌ Rejected',
  expired: '⌛ Expired without a decision',
  approved: '✅ Approved; sending starts soon',
  dispatching: '📤 Sending',
  following_up: '📬 Sent; collecting responses',
  completed: '🏁 Completed',
  cancelled: '🛑 Cancelled',
  failed: '⚠️ Failed',
};

/** Where sends have started, so the counts mean something. */
const SHOWS_PROGRESS: ReadonlySet<AlertStatus> = new Set<AlertStatus>([
  'dispatching',
  'following_up',
  'completed',
  'cancelled',
]);

const reasonLabel = (reason: string) => reason.toLowerCase().replace(/_/g, ' ');

/** The deduplicated audience summary: lists, memberships, unique, channel mix, suppressed by reason. */
export function audienceBlocks(summary: AudienceSummary): KnownBlock[] {
  const lists = mkJoin(summary.lists.slice(0, 15).map((l) => mk`• ${clip(l.name, 80)}: ${l.memberships}`));
  const more = summary.lists.length > 15 ? `\n… and ${summary.lists.length - 15} more lists` : '';
  const mix = Object.entries(summary.channelMix)
    .map(([c, n]) => `${isChannel(c) ? CHANNEL_LABELS[c] : c} ${n}`)
    .join(' · ');
  const note = unconfiguredNote(summary);
  const suppressed = Object.entries(summary.suppressedByReason)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${reasonLabel(r)}: ${n}`)
    .join(' · ');
  return [
    {
      type: 'section',
      fields: [
        mrkdwn(mk`*Lists*\n${lists.text ? lists : '—'}${more}`),
        mrkdwn(
          mk`*Audience*\n${summary.totalMemberships} memberships\n${summary.uniqueContacts} unique contacts (${summary.duplicates} duplicates)\n*${summary.deliveries} will receive it*`,
        ),
        mrkdwn(mk`*Channel mix*\n${mix || '—'}${note ? `\n_${note}_` : ''}`),
        mrkdwn(
          mk`*Suppressed*\n${suppressed || 'none'}${summary.delayedByQuietHours ? `\n${summary.delayedByQuietHours} wait for quiet hours to end` : ''}`,
        ),
      ],
    },
    // When it goes out if approved now: the topic's announced time in each contact's time zone.
    ...(summary.timing
      ? [{ type: 'section', text: mrkdwn(mk`*When*\n${sendTimingWords(summary.timing, new Date())}`) } as KnownBlock]
      : []),
  ];
}

function progressBlocks(a: AlertSnapshot): KnownBlock[] {
  const c = a.counts;
  const total = c?.total || a.summary?.deliveries || 0;
  if (!c || !SHOWS_PROGRESS.has(a.status) || !a.approvedAt) return [];
  const done = c.sent + c.failed + c.bounced + c.cancelled;
  return [
    {
      type: 'section',
      text: mrkdwn(
        mk`\`${progressBar(done, total)}\`\nSent *${c.sent}* of ${total} · failed ${c.failed + c.bounced}${c.cancelled ? ` · cancelled ${c.cancelled}` : ''} · responses so far *${a.responses}*`,
      ),
    },
  ];
}

function decisionLine(a: AlertSnapshot): Mrkdwn | null {
  if (!a.decidedBy) return null;
  const who = a.decidedBy;
  const why = a.decisionComment ? mk`: “${clip(a.decisionComment, 300)}”` : '';
  if (a.approvedAt) return mk`✅ Approved by ${who}`;
  if (a.status === 'rejected') return mk`❌ Rejected by ${who}${why}`;
  if (a.status === 'changes_requested') return mk`✏️ Changes requested by ${who}${why}`;
  return null;
}

function header(a: AlertSnapshot, prefix = ''): KnownBlock {
  return { type: 'header', text: plain(`${prefix}${a.title}`, SLACK_LIMITS.headerText) };
}

/** The alert's id, version and topic; with the reader's link to the alert's trail page when there is one. */
function footer(a: AlertSnapshot, trailUrl?: string): KnownBlock {
  const trail = trailUrl ? mk` · ${mrkdwnLink(trailUrl, 'See the trail')}` : mk``;
  return {
    type: 'context',
    elements: [
      mrkdwn(
        mk`Alert \`${a.id}\` · version ${a.version} · topic ${clip(a.topic, 80)}${trail}${
          a.workflowUrl ? mk` · ${mrkdwnLink(a.workflowUrl, 'workflow in Temporal')}` : ''
        }`,
      ),
    ],
  };
}

/** "Cancelled by x" (the workflow writes it when no reason was given), or the reason given. */
function cancelLine(a: AlertSnapshot): Mrkdwn | null {
  if (a.status !== 'cancelled') return null;
  const comment = a.decisionComment?.trim();
  if (!comment) return mk`🛑 Cancelled`;
  if (/^cancelled by /i.test(comment)) return mk`🛑 Cancelled by ${clip(comment.slice(13), 254)}`;
  return mk`🛑 Cancelled: “${clip(comment, 300)}”`;
}

/** Revise (changes requested) and Cancel (with Slack's confirm dialog) for the requester. */
function requesterActions(a: AlertSnapshot): KnownBlock[] {
  const value = `${a.id}:${a.version}`;
  const elements: types.Button[] = [];
  if (a.status === 'changes_requested') {
    elements.push({
      type: 'button',
      action_id: ACTIONS.reviseAlert,
      style: 'primary',
      text: plain('Revise', 75),
      value,
    });
  }
  if (isCancellable(a.status)) {
    const sending = isSending(a.status);
    elements.push({
      type: 'button',
      action_id: ACTIONS.cancelAlert,
      style: 'danger',
      text: plain('Cancel alert', 75),
      value,
      confirm: {
        title: plain('Cancel this alert?', 100),
        text: plain(
          sending
            ? 'No further messages go out. What was already sent stays sent and recorded.'
            : 'It will not be sent. This cannot be undone.',
          300,
        ),
        confirm: plain('Cancel alert', 30),
        deny: plain('Keep it', 30),
        style: 'danger',
      },
    });
  }
  return elements.length ? [{ type: 'actions', elements }] : [];
}

/** The requester's message: the preview with the audience summary, then status and live progress. */
export function requesterMessage(a: AlertSnapshot, trailUrl?: string): SlackMessage {
  const lines = [decisionLine(a), cancelLine(a)].filter((l) => l !== null);
  const blocks: KnownBlock[] = [
    header(a),
    {
      type: 'section',
      text: mrkdwn(mkJoin([mk`*${STATUS_LINE[a.status]}*`, ...lines])),
    },
    ...(a.summary ? audienceBlocks(a.summary) : []),
    ...progressBlocks(a),
    ...requesterActions(a),
    footer(a, trailUrl),
  ];
  return slackMessage(mk`Alert "${a.title}": ${STATUS_LINE[a.status]}`, blocks);
}

/** The approver's DM: the preview and Approve / Reject / Request changes, or who decided and how. */
export function approverMessage(a: AlertSnapshot, dmVersion: number, trailUrl?: string): SlackMessage {
  const blocks: KnownBlock[] = [
    header(a, 'Approval needed: '),
    { type: 'section', text: mrkdwn(mk`Requested by *${a.requester}*`) },
    { type: 'section', text: mrkdwn(mkQuote(clip(a.body, 1500))) },
    ...(a.summary ? audienceBlocks(a.summary) : []),
  ];
  const outdated = a.version > dmVersion;
  let outcome: Mrkdwn | null;
  if (outdated) outcome = mk`This version was replaced by version ${a.version}; a new request follows.`;
  else outcome = decisionLine(a);
  if (!outcome && a.status === 'expired') outcome = mk`⌛ Expired without a decision.`;
  if (!outcome && a.status === 'cancelled') outcome = mk`🛑 Cancelled by the requester.`;
  if (outcome) {
    blocks.push({ type: 'section', text: mrkdwn(mk`*${outcome}*`) });
  } else if (a.status === 'awaiting_approval') {
    const value = `${a.id}:${a.version}`;
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTIONS.approveAlert, style: 'primary', text: plain('Approve', 75), value },
        ...(a.summary?.timing?.urgentAllowed && a.summary.timing.schedule !== null
          ? [
              {
                type: 'button' as const,
                action_id: ACTIONS.approveAlertUrgent,
                text: plain('Approve, send now (urgent)', 75),
                value,
                confirm: {
                  title: plain('Send now?', 100),
                  text: plain(
                    `Everyone gets it at once, not at the topic's announced time (${sendTimingWords(a.summary.timing, new Date(), false, true)}). Your choice is recorded in the audit.`,
                    300,
                  ),
                  confirm: plain('Approve, send now', 30),
                  deny: plain('Back', 30),
                },
              },
            ]
          : []),
        { type: 'button', action_id: ACTIONS.rejectAlert, style: 'danger', text: plain('Reject', 75), value },
        { type: 'button', action_id: ACTIONS.requestChanges, text: plain('Request changes', 75), value },
      ],
    });
  }
  blocks.push(footer(a, trailUrl));
  return slackMessage(mk`Approval needed: "${a.title}" from ${a.requester}${outcome ? mk` (${outcome})` : ''}`, blocks);
}

/** Button value of the approval DM: "<alert id>:<version>". */
export function readDecisionValue(raw: string | undefined): { alertId: string; version: number } | null {
  const m = /^(alr_[0-9a-z]{26}):(\d{1,6})$/.exec(raw ?? '');
  return m ? { alertId: m[1]!, version: Number(m[2]) } : null;
}
