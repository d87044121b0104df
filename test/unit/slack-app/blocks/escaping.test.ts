import { describe, expect, it } from 'vitest';
import { buildSlackAlertMessage } from '../../../../channels/slack/alert-message.js';
import { mk, mkJoin, mkUser, mrkdwnLink } from '../../../../channels/slack/mrkdwn.js';
import { DEFAULT_QUESTIONS } from '../../../../domain/questions.js';
import { noticeModal, reasonModal, reviseModal } from '../../../../slack-app/blocks/alert-decision-modals.js';
import { approverMessage, requesterMessage } from '../../../../slack-app/blocks/alert-status-message.js';
import { contextCard, contextNotFound, type CustomerContextData } from '../../../../slack-app/blocks/context-card.js';
import { responseMessage } from '../../../../slack-app/blocks/customer-response-dm.js';
import { homeView } from '../../../../slack-app/blocks/home.js';
import { loadingModal } from '../../../../slack-app/blocks/loading-modal.js';
import { problemMessage, touchConfirmation } from '../../../../slack-app/blocks/messages.js';
import { touchModal } from '../../../../slack-app/blocks/touch-modal.js';
import { ID, snap, summary } from './alert-fixtures.js';

/**
 * Slack reads `<...>` in mrkdwn as links, mentions and @channel broadcasts: in blocks and in a
 * message's `text` fallback alike (the fallback is what notifications show). Every value from
 * outside (a CRM name, an alert title, a customer's reply) is written here as markup that would
 * go live unescaped; every message and view Rapport builds is checked for it. A builder that
 * interpolates without the helper (mk, channels/slack/mrkdwn.ts) fails this test.
 */
const HOSTILE = '<!channel> <https://evil.example|Approve> <@UEVIL> & <#CEVIL>';
const LIVE = ['<!channel>', '<https://evil.example', '<@UEVIL>', '<#CEVIL>', 'evil.example|Approve>'];

/** Every string Slack renders as mrkdwn: a message's text, and each mrkdwn text object in its blocks. */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) mrkdwnTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') mrkdwnTexts(v, out);
  }
  return out;
}

function expectNothingLive(name: string, built: { text?: string; blocks: unknown[] }) {
  const texts = [...(built.text !== undefined ? [built.text] : []), ...mrkdwnTexts(built.blocks)];
  expect(texts.length, name).toBeGreaterThan(0);
  const live = texts.filter((t) => LIVE.some((marker) => t.includes(marker)));
  expect(live, `${name}: markup from outside went live`).toEqual([]);
  // And it is still shown, as text.
  expect(
    texts.some((t) => t.includes('&lt;!channel&gt;')),
    `${name}: the hostile text is not shown at all`,
  ).toBe(true);
}

const context = {
  contact: {
    id: '101',
    email: 'joe@acme.example',
    firstName: HOSTILE,
    lastName: HOSTILE,
    jobtitle: HOSTILE,
    phone: HOSTILE,
    hs_timezone: null,
    rapport_preferred_channel: HOSTILE,
    hs_email_optout: null,
  },
  owner: { id: '1', email: 'owner@bank.example', firstName: HOSTILE, lastName: null },
  company: { id: '2', name: HOSTILE, domain: null },
  segments: {
    valueTier: { tier: 'gold', totalRevenue: 1, reason: HOSTILE },
    lastPurchase: { date: null, daysAgo: null, recency: 'never' },
    relationship: { since: null, months: null, label: HOSTILE },
    lifecycleStage: HOSTILE,
  },
  timeline: [
    {
      id: '1',
      kind: HOSTILE,
      at: '2026-01-01T00:00:00Z',
      title: HOSTILE,
      body: HOSTILE,
      source: 'crm',
      status: 'synced',
    },
  ],
  nextQuestions: [{ ...DEFAULT_QUESTIONS[0]!, text: HOSTILE }],
  nextBestAction: { ruleId: 'r', action: HOSTILE, reason: HOSTILE },
  followUps: [],
} as unknown as CustomerContextData;

const hostileAlert = snap({
  title: HOSTILE,
  body: HOSTILE,
  topic: HOSTILE,
  requester: HOSTILE,
  decidedBy: HOSTILE,
  decisionComment: HOSTILE,
  summary: { ...summary(2), lists: [{ id: '1', name: HOSTILE, memberships: 3 }] },
});

describe('Slack text: everything from outside is escaped, in blocks and in the text fallback', () => {
  const messages: [string, { text?: string; blocks: unknown[] }][] = [
    ['requester message', requesterMessage({ ...hostileAlert, status: 'changes_requested' })],
    ['requester message, cancelled', requesterMessage({ ...hostileAlert, status: 'cancelled' })],
    ['approver message', approverMessage(hostileAlert, 1)],
    ['approver message, rejected', approverMessage({ ...hostileAlert, status: 'rejected' }, 1)],
    [
      'customer response DM',
      responseMessage({
        alertId: ID,
        alertTitle: HOSTILE,
        contactId: '101',
        customer: HOSTILE,
        kind: 'reply',
        body: HOSTILE,
      }),
    ],
    [
      'context card',
      contextCard({
        context,
        alerts: [
          {
            id: ID,
            title: HOSTILE,
            sentAt: '2026-01-01T00:00:00Z',
            channel: HOSTILE,
            response: { at: '2026-01-02T00:00:00Z', text: HOSTILE },
          },
        ],
      }),
    ],
    ['no customer found', contextNotFound(HOSTILE, [])],
    ['several customers found', contextNotFound(HOSTILE, [{ id: '1', label: HOSTILE, email: HOSTILE }])],
    [
      'touch confirmation',
      touchConfirmation({
        touchId: 'tch_1',
        duplicate: false,
        customer: { name: HOSTILE, email: null },
        channel: 'call',
        summary: HOSTILE,
        answers: 1,
      }),
    ],
    ['problem message', problemMessage(HOSTILE, HOSTILE, HOSTILE)],
    ['customer alert DM', buildSlackAlertMessage({ id: ID, title: HOSTILE, body: HOSTILE } as never, 'token.mac')],
  ];
  it.each(messages)('%s', (name, built) => expectNothingLive(name, built));

  const views: [string, { blocks: unknown[] }][] = [
    [
      'App Home',
      homeView({
        email: 'me@bank.example',
        approvals: [
          { alertId: ID, title: HOSTILE, requestedBy: HOSTILE, audience: 1, requestedAt: '2026-01-01T00:00:00Z' },
        ],
        alerts: [{ alertId: ID, title: HOSTILE, status: HOSTILE, at: '2026-01-01T00:00:00Z' }],
        touches: [
          {
            id: 't',
            customer: HOSTILE,
            channel: 'call',
            summary: HOSTILE,
            occurredAt: '2026-01-01T00:00:00Z',
            status: 'synced',
          },
        ],
        touchesTotal: 1,
        touchLimit: 5,
      }),
    ],
    [
      "App Home's live summary",
      homeView({
        email: 'me@bank.example',
        summary: {
          pendingApproval: {
            count: 1,
            forYou: 1,
            alerts: [{ id: ID, title: HOSTILE, requester: HOSTILE, dashboardUrl: HOSTILE, mine: false }],
          },
          sending: {
            count: 1,
            alerts: [
              { id: ID, title: HOSTILE, requester: HOSTILE, dashboardUrl: HOSTILE, mine: false, sent: 1, total: 2 },
            ],
          },
          doneToday: { count: 0, sent: 0, responded: 0, responseRate: null },
          dashboardUrl: 'https://rapport.example/dashboard',
          at: '2026-01-01T00:00:00Z',
        },
        touches: [],
        touchesTotal: 0,
        touchLimit: 5,
      }),
    ],
    ['reason modal', reasonModal({ alertId: ID, version: 1, decision: 'reject' }, HOSTILE)],
    [
      'revise modal',
      reviseModal({ alertId: ID, version: 1 }, { title: 'T', body: 'B', decidedBy: HOSTILE, comment: HOSTILE }),
    ],
    ['notice modal', noticeModal('Notice', HOSTILE)],
    ['loading modal', loadingModal({ title: 'Loading', message: HOSTILE })],
    [
      'touch modal from a message',
      touchModal({
        metadata: { questionIds: [] },
        questions: 'pick',
        source: { permalink: 'https://slack.example/p1', author: HOSTILE, text: HOSTILE },
      } as never),
    ],
  ];
  it.each(views)('%s', (name, view) => {
    const texts = mrkdwnTexts(view.blocks);
    expect(
      texts.filter((t) => LIVE.some((marker) => t.includes(marker))),
      name,
    ).toEqual([]);
  });
});

describe('the helper', () => {
  it('escapes values, keeps the template and what is mrkdwn already', () => {
    const link = mrkdwnLink('https://crm.example/1', 'Open <it>');
    expect(mk`*${'<!here>'}* ${link} ${3}`.text).toBe('*&lt;!here&gt;* <https://crm.example/1|Open &lt;it&gt;> 3');
    expect(mkJoin(['a&b', mk`*b*`], ' · ').text).toBe('a&amp;b · *b*');
    expect(mkUser('U024BE7LH').text).toBe('<@U024BE7LH>');
    expect(mkUser('U1> <!channel').text).toBe('U1&gt; &lt;!channel');
  });
});
