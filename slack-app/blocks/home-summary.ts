import type { types } from '@slack/bolt';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { mk, mkJoin, mrkdwnLink, type Mrkdwn } from '../../channels/slack/mrkdwn.js';
import type { LiveSummary } from '../../contracts/live-summary.js';
import { ACTIONS, HOME_BLOCKS } from '../ids.js';
import { mrkdwn } from './alert-view-parts.js';

type KnownBlock = types.KnownBlock;

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The live summary at the top of App Home: the person's alerts waiting for approval, sending
 * (sent of total) and dispatched today with their response rate, each alert linked to its page on
 * the dashboard. Pure; every value from outside (titles, requesters, URLs) is escaped.
 */
export function homeSummaryBlocks(summary: LiveSummary): KnownBlock[] {
  const { pendingApproval: pending, sending, doneToday: done } = summary;
  const counts = mkJoin(
    [
      mk`*${pending.count}* pending approval${pending.forYou > 0 ? ` (${pending.forYou} for you)` : ''}`,
      mk`*${sending.count}* sending`,
      mk`*${done.count}* done today · ${plural(done.sent, 'sent', 'sent')} · ${plural(done.responded, 'response')} · ${percent(done.responseRate)} response rate`,
    ],
    '   ',
  );
  const lines: Mrkdwn[] = [
    ...sending.alerts.map(
      (a) =>
        mk`📤 ${mrkdwnLink(a.dashboardUrl, clip(a.title, 120))} — ${a.sent} of ${a.total} sent${a.mine ? '' : ` · from ${a.requester}`}`,
    ),
    ...pending.alerts.map(
      (a) =>
        mk`⏳ ${mrkdwnLink(a.dashboardUrl, clip(a.title, 120))} — ${a.mine ? 'waiting for an approver' : `from ${a.requester}, waiting for you`}`,
    ),
  ];
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      block_id: HOME_BLOCKS.summary,
      text: { type: 'plain_text', text: clip('My alerts right now', SLACK_LIMITS.headerText) },
    },
    {
      type: 'section',
      text: mrkdwn(counts),
      accessory: {
        type: 'button',
        // A link button: Slack still sends an action, which the app acknowledges and ignores.
        action_id: ACTIONS.openDashboard,
        text: { type: 'plain_text', text: 'Open the dashboard' },
        url: clip(summary.dashboardUrl, SLACK_LIMITS.url),
      },
    },
  ];
  if (lines.length) blocks.push({ type: 'section', text: mrkdwn(mkJoin(lines)) });
  return blocks;
}
