import type { types } from '@slack/bolt';
import type { CustomerContext, TimelineEntry } from '../../services/customer-context.js';
import { ACTIONS } from '../ids.js';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { slackMessage, type SlackMessage } from '../../channels/slack/message.js';
import { mk, mkJoin, mrkdwnLink, slackDate, type Mrkdwn } from '../../channels/slack/mrkdwn.js';
import { mrkdwn } from './alert-view-parts.js';

type KnownBlock = types.KnownBlock;

export type CustomerContextData = Awaited<ReturnType<CustomerContext>>;

/** An alert the customer received and what they answered (filled once the broadcast engine lands). */
export interface AlertSummary {
  id: string;
  title: string;
  sentAt: string;
  channel: string;
  response?: { at: string; text: string } | null;
}

export interface ContextCardInput {
  context: CustomerContextData;
  /** Link to the contact in the CRM, when one can be built. */
  crmUrl?: string;
  alerts?: AlertSummary[];
  /** How many timeline entries to show before "see more". */
  touchLimit?: number;
}

const TIMELINE_KIND: Record<string, string> = {
  note: '📝 Note',
  call: '📞 Call',
  email: '✉️ Email',
  meeting: '👥 Meeting',
  chat: '💬 Chat',
  visit: '🏢 Visit',
  other: '📝 Touch',
};

export function contactName(c: { firstName: string | null; lastName: string | null; email: string | null }): string {
  return [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'Unnamed contact';
}

function field(label: string, value: string | null | undefined): types.MrkdwnElement | null {
  if (value === null || value === undefined || value === '') return null;
  return mrkdwn(mk`*${label}*\n${value}`, SLACK_LIMITS.fieldText);
}

function timelineLine(e: TimelineEntry): Mrkdwn {
  const kind = TIMELINE_KIND[e.kind] ?? e.kind;
  const what = clip((e.title ?? e.body.split('\n', 1)[0] ?? '').trim() || '(no text)', 140);
  const status =
    e.status === 'pending' ? mk` _(on its way to the CRM)_` : e.status === 'failed' ? mk` _(not logged)_` : '';
  return mk`${kind} · ${slackDate(e.at, '{date_short}')} · ${what}${status}`;
}

/** The customer context card (ephemeral message): at most 50 blocks, every text within Slack's limits. */
export function contextCard(input: ContextCardInput): SlackMessage {
  const { context: ctx } = input;
  const name = contactName(ctx.contact);
  const limit = input.touchLimit ?? 5;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(name, SLACK_LIMITS.headerText) } },
  ];

  const owner = ctx.owner ? contactName({ ...ctx.owner, email: ctx.owner.email }) : null;
  const c = ctx.contact as Record<string, string | null>;
  const fields = [
    field('Email', ctx.contact.email),
    field('Company', ctx.company?.name ?? null),
    field('Owner', owner),
    field('Job title', c.jobtitle),
    field('Phone', c.phone),
    field('Prefers', c.rapport_preferred_channel),
    field('Email opt-out', c.hs_email_optout === 'true' ? 'Opted out of email' : null),
  ].filter((f): f is types.MrkdwnElement => f !== null);
  if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.sectionFields) });

  const s = ctx.segments;
  blocks.push({
    type: 'section',
    fields: [
      field('Value', `${s.valueTier.tier} (${s.valueTier.reason})`)!,
      field(
        'Last purchase',
        s.lastPurchase.date
          ? `${s.lastPurchase.date} · ${s.lastPurchase.daysAgo} days ago (${s.lastPurchase.recency})`
          : 'never',
      )!,
      field('Relationship', s.relationship.label)!,
      ...(s.lifecycleStage ? [field('Stage', s.lifecycleStage)!] : []),
    ],
  });

  blocks.push({ type: 'divider' });
  const shown = ctx.timeline.slice(0, limit);
  const more = ctx.timeline.length - shown.length;
  const timelineText = shown.length ? mkJoin(shown.map(timelineLine)) : mk`_No touches yet._`;
  blocks.push({ type: 'section', text: mrkdwn(mk`*Last touches*\n${timelineText}`) });
  if (more > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          input.crmUrl
            ? mk`${more} more — see the whole timeline ${mrkdwnLink(input.crmUrl, 'in the CRM')}`
            : mk`${more} more on the CRM timeline`,
        ),
      ],
    });
  }

  if (input.alerts?.length) {
    const lines = input.alerts.slice(0, 5).map((a) => {
      const answer = a.response
        ? mk`answered ${slackDate(a.response.at, '{date_short}')}: “${clip(a.response.text, 200)}”`
        : 'no answer yet';
      return mk`🔔 ${clip(a.title, 120)} · ${slackDate(a.sentAt, '{date_short}')} by ${a.channel} · ${answer}`;
    });
    blocks.push({ type: 'section', text: mrkdwn(mk`*Alerts and responses*\n${mkJoin(lines)}`) });
  }

  // The next best action, with its reason, when the context carries one.
  const nba = (ctx as { nextBestAction?: { action: string; reason: string } | null }).nextBestAction;
  if (nba) {
    blocks.push({ type: 'section', text: mrkdwn(mk`*Next best action*\n${nba.action}\n_Why:_ ${nba.reason}`) });
  }

  // The customer's own terms from the preference centre (topics off, channels, digests, quiet hours).
  const prefs = (ctx as { preferences?: string[] }).preferences ?? [];
  if (prefs.length > 0) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(mk`*Their preferences:* ${clip(prefs.join(' · '), 1_500)}`)],
    });
  }

  const next = ctx.nextQuestions[0];
  blocks.push({
    type: 'section',
    text: mrkdwn(
      next
        ? mk`*Next question to ask*\n${next.text}${ctx.nextQuestions[1] ? mk`\n_then:_ ${ctx.nextQuestions[1].text}` : ''}`
        : mk`*Next question to ask*\n_Every question has been answered._`,
    ),
  });

  const buttons: types.Button[] = [
    {
      type: 'button',
      action_id: ACTIONS.openLogTouch,
      text: { type: 'plain_text', text: 'Log a touch' },
      style: 'primary',
      value: ctx.contact.id,
    },
  ];
  if (input.crmUrl)
    buttons.push({
      type: 'button',
      action_id: ACTIONS.openCrmContact,
      text: { type: 'plain_text', text: 'Open in CRM' },
      url: clip(input.crmUrl, SLACK_LIMITS.url),
    });
  blocks.push({ type: 'actions', elements: buttons });

  return slackMessage(mk`Customer context: ${name}`, blocks);
}

/** Answer to /customer when nothing matches, or several do. */
export function contextNotFound(
  query: string,
  candidates: { id: string; label: string; email: string | null }[],
): SlackMessage {
  const q = clip(query, 100);
  if (!candidates.length) {
    return slackMessage(mk`No customer matches “${q}”.`, [
      {
        type: 'section',
        text: mrkdwn(mk`No customer in the CRM matches “${q}”. Try an email address, a name or a company.`),
      },
    ]);
  }
  const lines = candidates
    .slice(0, 10)
    .map((c) => mk`• ${clip(c.label, 120)}${c.email ? mk` — \`/customer ${c.email}\`` : ''}`);
  return slackMessage(mk`${candidates.length} customers match “${q}”.`, [
    { type: 'section', text: mrkdwn(mk`Several customers match “${q}”; which one?\n${mkJoin(lines)}`) },
  ]);
}
