import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { createElement as h, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../outlook-addin/src/api.js';
import {
  ApprovalView,
  decisionErrorText,
  reasonProblem,
  type ApprovalOperations,
} from '../../../outlook-addin/src/components/ApprovalView.js';
import { CustomerView, type CustomerOperations } from '../../../outlook-addin/src/components/CustomerView.js';
import { StateView } from '../../../outlook-addin/src/components/States.js';
import type { ApprovalAlertView, ApprovalAudience, CustomerContextView } from '../../../outlook-addin/src/types.js';

/** The pane's components without Office: props in, markup out (interaction is tested in Chromium). */
const render = (el: ReactElement) => renderToStaticMarkup(h(FluentProvider, { theme: webLightTheme }, el));
const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

const NOW = Date.parse('2026-11-24T12:00:00Z');
const context = (over: Partial<CustomerContextView> = {}): CustomerContextView => ({
  contact: {
    id: '101',
    email: 'joe.smith@acme-logistics.example',
    firstName: 'Joe',
    lastName: 'Smith',
    jobtitle: 'VP Operations',
  },
  owner: { id: '61000001', email: 'alice@rapport-demo.example', firstName: 'Alice', lastName: 'Moreau' },
  company: { id: '5001', name: 'Acme Logistics', domain: 'acme-logistics.example' },
  segments: {
    valueTier: { tier: 'gold', totalRevenue: 250000, reason: 'lifetime revenue 250,000 >= 100,000' },
    lastPurchase: { date: '2026-11-12T00:00:00.000Z', daysAgo: 12, recency: 'recent' },
    relationship: { since: '2020-11-01T00:00:00.000Z', months: 72, label: '6 years' },
    lifecycleStage: 'customer',
  },
  timeline: [
    {
      id: '1',
      kind: 'call',
      at: '2026-11-20T10:00:00Z',
      title: 'Check-in call',
      body: 'New site in spring',
      source: 'crm',
      status: 'synced',
    },
    {
      id: 'tch_x',
      kind: 'email',
      at: '2026-11-24T09:00:00Z',
      title: null,
      body: 'Logged from Outlook',
      source: 'rapport',
      status: 'pending',
    },
  ],
  nextQuestions: [
    { id: 'decision_maker', text: 'Who else takes part in buying decisions on your side?', kind: 'text' },
    {
      id: 'preferred_contact_time',
      text: 'When is the best time of day to reach you?',
      kind: 'choice',
      choices: ['Morning', 'Evening'],
    },
  ],
  nextBestAction: {
    ruleId: 'r',
    action: 'Check that the last order met expectations',
    reason: 'You ordered 12 days ago.',
  },
  ...over,
});
const ops: CustomerOperations = { logTouch: () => Promise.reject(new Error('not in this test')) };

describe('CustomerView', () => {
  it('shows profile, owner, segments, next best action with its reason, questions and timeline', () => {
    const out = text(render(h(CustomerView, { context: context(), operations: ops, subject: 'Renewal', now: NOW })));
    for (const expected of [
      'Joe Smith',
      'VP Operations · Acme Logistics',
      'Account owner: Alice Moreau',
      'Gold · $250,000',
      'Bought 12 days ago',
      'Customer for 6 years',
      'Check that the last order met expectations',
      'You ordered 12 days ago.',
      'Who else takes part in buying decisions',
      'Morning',
      'Check-in call',
      '4 days ago',
      'on its way',
      'Log this email as a touch',
    ]) {
      expect(out).toContain(expected);
    }
  });

  it('renders script and markup from CRM fields as text', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = render(
      h(CustomerView, {
        context: context({
          contact: { id: '1', email: 'a@b.example', firstName: evil, lastName: null, jobtitle: evil },
          company: { id: '2', name: evil, domain: null },
          timeline: [{ id: '9', kind: evil, at: 'x', title: evil, body: evil, source: 'crm', status: 'synced' }],
          nextBestAction: { ruleId: 'r', action: evil, reason: evil },
        }),
        operations: ops,
      }),
    );
    expect(html).not.toMatch(/<script>|<img /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('offers "mark done" on follow-ups only when the operation is given', () => {
    const withFollowUps = context({
      followUps: [{ id: 't1', subject: 'Send the quote', dueAt: '2026-11-25T00:00:00Z' }],
    });
    expect(text(render(h(CustomerView, { context: withFollowUps, operations: ops })))).not.toContain('Mark done');
    const out = text(
      render(h(CustomerView, { context: withFollowUps, operations: { ...ops, completeFollowUp: async () => {} } })),
    );
    expect(out).toContain('Send the quote');
    expect(out).toContain('Mark done');
    expect(text(render(h(CustomerView, { context: context(), operations: ops })))).not.toContain('Open follow-ups');
  });

  it('leaves out what the CRM does not know', () => {
    const out = text(
      render(
        h(CustomerView, {
          context: context({ owner: null, company: null, nextBestAction: null, nextQuestions: [], timeline: [] }),
          operations: ops,
        }),
      ),
    );
    expect(out).not.toContain('Account owner');
    expect(out).not.toContain('Next best action');
    expect(out).toContain('No touches yet.');
  });
});

describe('friendly states', () => {
  it.each([
    [{ kind: 'unknown', email: 'x@y.example', name: 'X Y' }, 'Not in the CRM yet'],
    [{ kind: 'internal', email: 'me@rapport.example' }, 'inside your organisation'],
    [{ kind: 'unavailable', detail: 'Rapport or the CRM is not answering.' }, 'unavailable right now'],
    [{ kind: 'signed-out', detail: 'could not sign in' }, 'Sign-in needed'],
    [{ kind: 'no-message' }, 'Select a message'],
  ] as const)('%o', (state, expected) => {
    expect(text(render(h(StateView, { state, onRetry: () => {} })))).toContain(expected);
  });
});

describe('ApprovalView', () => {
  const audience: ApprovalAudience = {
    lists: [
      { id: '1', name: 'Gold customers', memberships: 180 },
      { id: '2', name: 'Newsletter', memberships: 70 },
    ],
    totalMemberships: 250,
    uniqueContacts: 238,
    duplicates: 12,
    deliveries: 230,
    channelMix: { email: 210, slack: 0, sms: 20 },
    suppressedByReason: {
      DUPLICATE_CONTACT: 9,
      DUPLICATE_EMAIL: 3,
      OPTED_OUT: 5,
      INVALID_EMAIL: 3,
      NO_USABLE_ADDRESS: 0,
      FREQUENCY_CAP: 0,
    },
    delayedByQuietHours: 0,
  };
  const alert: ApprovalAlertView = {
    id: 'alr_01jtestalert0000000000000a',
    status: 'awaiting_approval',
    version: 1,
    title: 'Q4 price update',
    preview: 'Prices change on <b>1 January</b>.',
    topic: 'pricing',
    requester: 'analyst@rapport.example',
    channels: ['email', 'sms'],
    approverGroup: 'alerts',
    audience,
    decision: null,
    createdAt: '2026-11-24T10:00:00Z',
    you: { email: 'approver@rapport.example', role: 'approver', canDecide: true },
  };
  const operations: ApprovalOperations = { load: async () => alert, decide: async () => alert };
  const view = (props: Partial<Parameters<typeof ApprovalView>[0]> = {}) =>
    render(h(ApprovalView, { alertId: alert.id, alert, operations, ...props }));

  it('shows preview, requester, the audience with suppressed duplicates and the channel mix', () => {
    const out = view();
    const all = text(out);
    expect(all).toContain('Q4 price update');
    expect(all).toContain('Requested by analyst@rapport.example');
    expect(all).toContain('230 recipients will receive it');
    expect(all).toContain('250 list memberships on 2 lists → 238 unique contacts');
    expect(all).toContain('12 duplicates removed · 8 not reached');
    expect(all).toContain('9 same contact on several lists');
    expect(all).toContain('3 same email address on another record');
    expect(all).toContain('5 opted out');
    expect(all).not.toContain('too many alerts');
    expect(all).toContain('Email 210');
    expect(all).toContain('SMS 20');
    expect(all).not.toContain('Slack 0');
    expect(all).toMatch(/Approve.*Reject.*Request changes/);
    // Untrusted text stays text.
    expect(out).toContain('&lt;b&gt;1 January&lt;/b&gt;');
  });

  it('needs a reason to reject or request changes', () => {
    expect(reasonProblem('approve', '')).toBeNull();
    expect(reasonProblem('reject', '  ')).toMatch(/reason is required to reject/);
    expect(reasonProblem('request_changes', '')).toMatch(/reason is required to request changes/);
    expect(reasonProblem('reject', 'Wrong segment')).toBeNull();
    const out = view({ initialAction: 'reject' });
    expect(text(out)).toContain('Why reject? (required)');
    expect(text(out)).toContain('A reason is required to reject.');
    expect(out).toMatch(
      /<button[^>]*disabled=""[^>]*data-testid="confirm-decision"|data-testid="confirm-decision"[^>]*disabled=""/,
    );
  });

  it('shows who decided instead of the buttons once someone has', () => {
    const decided: ApprovalAlertView = {
      ...alert,
      status: 'rejected',
      decision: { decision: 'reject', by: 'officer@rapport.example', reason: 'Wrong list', at: '2026-11-24T11:00:00Z' },
      you: { ...alert.you, canDecide: false },
    };
    const all = text(view({ alert: decided }));
    expect(all).toContain('Rejected by officer@rapport.example');
    expect(all).toContain('Reason: Wrong list');
    expect(all).not.toMatch(/Request changes/);
  });

  it('tells the requester that someone else decides (four eyes)', () => {
    const mine: ApprovalAlertView = { ...alert, you: { email: alert.requester, role: 'requester', canDecide: false } };
    const all = text(view({ alert: mine }));
    expect(all).toContain('another approver decides (four eyes)');
    expect(all).not.toContain('Request changes');
  });

  it('without the alert, points to the link in the email or says why', () => {
    expect(text(render(h(ApprovalView, { alertId: 'alr_9', alert: null })))).toContain('review link');
    expect(text(render(h(ApprovalView, { alertId: 'alr_9', alert: null, error: 'Not in Rapport.' })))).toContain(
      'Not in Rapport.',
    );
  });

  it('words decision errors for people', () => {
    expect(decisionErrorText(new ApiError('conflict', 'officer@rapport.example already decided (approved)', 409))).toBe(
      'Already decided: officer@rapport.example already decided (approved).',
    );
    expect(decisionErrorText(new ApiError('gone', 'expired', 410))).toMatch(/expired/);
    expect(decisionErrorText(new ApiError('network', 'Rapport cannot be reached'))).toMatch(/nothing was decided/);
  });
});
