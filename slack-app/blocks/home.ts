import type { types } from '@slack/bolt';
import { TOUCH_CHANNEL_LABELS, type TouchChannel } from '../../domain/vocabulary/index.js';
import { ACTIONS, HOME_BLOCKS } from '../ids.js';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { mk, mrkdwnLink, slackDate, type Mrkdwn } from '../../channels/slack/mrkdwn.js';
import { mrkdwn } from './alert-view-parts.js';
import type { LiveSummary } from '../../contracts/live-summary.js';
import { homeSummaryBlocks } from './home-summary.js';

type KnownBlock = types.KnownBlock;

/** An approval waiting for this user (from the broadcast engine). */
export interface PendingApproval {
  alertId: string;
  title: string;
  requestedBy: string;
  audience: number;
  requestedAt: string;
}

/** An alert this user requested, with where it stands (from the broadcast engine). */
export interface MyAlert {
  alertId: string;
  title: string;
  status: string;
  sent?: number;
  responses?: number;
  at: string;
}

export interface HomeTouch {
  id: string;
  customer: string;
  crmUrl?: string;
  channel: TouchChannel;
  summary: string;
  occurredAt: string;
  status: 'pending' | 'synced' | 'failed';
}

export interface HomeInput {
  /** The user's email (from users.info); without it Rapport cannot tell which touches are theirs. */
  email: string | null;
  approvals?: PendingApproval[];
  alerts?: MyAlert[];
  /** The person's alerts in flight, live (services/live-summary.ts); absent: no summary (alerts off, or no email). */
  summary?: LiveSummary;
  touches: HomeTouch[];
  /** How many touches there are in all (for "see more"). */
  touchesTotal: number;
  /** How many touches to show; "See more" raises it. */
  touchLimit: number;
}

const STATUS: Record<HomeTouch['status'], string> = {
  synced: '✅ in the CRM',
  pending: '⏳ on its way',
  failed: '⚠️ not logged',
};

/** The most blocks one listed section may take, so the Home stays under 100 blocks. */
const SECTION_BUDGET = 30;

function listSection(title: string, blockId: string, lines: Mrkdwn[], empty: Mrkdwn): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', block_id: blockId, text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.headerText) } },
  ];
  if (!lines.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(empty)] });
    return blocks;
  }
  for (const line of lines.slice(0, SECTION_BUDGET)) {
    blocks.push({ type: 'section', text: mrkdwn(line) });
  }
  return blocks;
}

/** App Home: my approvals, my alerts, the touches I logged and with whom; always <= 100 blocks. */
export function homeView(input: HomeInput): types.HomeView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        mk`Log a customer touch with \`/touch\`, look a customer up with \`/customer ${'<email or name>'}\`, or use *Log as customer touch* on any message.`,
      ),
      accessory: {
        type: 'button',
        action_id: ACTIONS.homeRefresh,
        text: { type: 'plain_text', text: 'Refresh' },
      },
    },
  ];
  if (input.summary) blocks.push(...homeSummaryBlocks(input.summary));

  blocks.push(
    ...listSection(
      'Waiting for my approval',
      HOME_BLOCKS.approvals,
      (input.approvals ?? []).map(
        (a) =>
          mk`*${clip(a.title, 150)}* — from ${a.requestedBy}, ${a.audience} recipients, ${slackDate(a.requestedAt, '{date_short} {time}')}`,
      ),
      mk`Nothing waits for your approval.`,
    ),
    ...listSection(
      'My alerts',
      HOME_BLOCKS.alerts,
      (input.alerts ?? []).map(
        (a) =>
          mk`*${clip(a.title, 150)}* — ${a.status}${a.sent !== undefined ? `, ${a.sent} sent` : ''}${a.responses !== undefined ? `, ${a.responses} replies` : ''} · ${slackDate(a.at, '{date_short}')}`,
      ),
      mk`You have not requested any alerts.`,
    ),
  );

  if (!input.email) {
    blocks.push(
      { type: 'header', block_id: HOME_BLOCKS.touches, text: { type: 'plain_text', text: 'My recent touches' } },
      {
        type: 'context',
        elements: [mrkdwn(mk`Rapport cannot see your email address in Slack, so it cannot find your touches.`)],
      },
    );
  } else {
    const limit = Math.min(input.touchLimit, SECTION_BUDGET);
    const shown = input.touches.slice(0, limit);
    blocks.push(
      ...listSection(
        'My recent touches',
        HOME_BLOCKS.touches,
        shown.map((t) => {
          const who = t.crmUrl ? mrkdwnLink(t.crmUrl, t.customer) : mk`*${t.customer}*`;
          return mk`${who} · ${TOUCH_CHANNEL_LABELS[t.channel]} · ${slackDate(t.occurredAt, '{date_short}')} · ${STATUS[t.status]}\n${clip(t.summary.replace(/\n+/g, ' '), 200)}`;
        }),
        mk`No touches logged yet. Try \`/touch\`.`,
      ),
    );
    const more = input.touchesTotal - shown.length;
    if (more > 0 && limit < SECTION_BUDGET) {
      blocks.push({
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTIONS.homeSeeMoreTouches,
            text: { type: 'plain_text', text: `See more (${more})` },
            value: String(Math.min(limit + 10, SECTION_BUDGET)),
          },
        ],
      });
    } else if (more > 0) {
      blocks.push({
        type: 'context',
        elements: [mrkdwn(mk`${more} older touches are on each customer's CRM timeline.`)],
      });
    }
  }

  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocksPerHome) };
}
