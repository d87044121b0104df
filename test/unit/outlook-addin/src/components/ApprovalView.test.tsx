import { describe, expect, it } from 'vitest';
import {
  ApprovalView,
  type ApprovalOperations,
  type ApprovalViewProps,
} from '../../../../../outlook-addin/src/components/ApprovalView.js';
import { LiveSummaryCard } from '../../../../../outlook-addin/src/components/approval/LiveSummaryCard.js';
import type { ApprovalAlertView, ApprovalAudience } from '../../../../../outlook-addin/src/types.js';
import { render, text } from '../../markup.js';
import { liveSummary, summaryAlert } from '../../../../fixtures/live-summary.js';

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
      TOPIC_OFF: 0,
      UNSUBSCRIBED: 0,
      NO_SMS_CONSENT: 0,
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
    trailUrl: 'https://rapport.example/trail/abc.def',
    you: { email: 'approver@rapport.example', role: 'approver', canDecide: true },
  };
  const operations: ApprovalOperations = { load: async () => alert, decide: async () => alert };
  const view = (props: Partial<ApprovalViewProps> = {}) =>
    render(<ApprovalView alertId={alert.id} alert={alert} operations={operations} {...props} />);

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

  it("links the approver's trail page, and shows no link without one", () => {
    expect(view()).toMatch(/<a[^>]*href="https:\/\/rapport.example\/trail\/abc.def"[^>]*data-testid="trail-link"/);
    expect(view({ alert: { ...alert, trailUrl: null } })).not.toContain('trail-link');
  });

  it('asks for a reason before it rejects', () => {
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
    expect(text(render(<ApprovalView alertId="alr_9" alert={null} />))).toContain('review link');
    expect(text(render(<ApprovalView alertId="alr_9" alert={null} error="Not in Rapport." />))).toContain(
      'Not in Rapport.',
    );
  });
});

describe('ApprovalView: the live summary above the request', () => {
  // The shared fixture, its sending alert's title holding markup that must stay text.
  const summary = liveSummary({
    sending: { count: 1, alerts: [{ ...summaryAlert('alr_3', 'New <b>app</b>', false), sent: 412, total: 2000 }] },
  });

  it('shows the counts, sent of total per sending alert, and links to the dashboard', () => {
    const html = render(<LiveSummaryCard summary={summary} />);
    expect(text(html)).toContain('2 pending approval (1 for you) · 1 sending · 3 done today, 1500 sent, 5% responded');
    // A title is text, never markup.
    expect(text(html)).toContain('New &lt;b&gt;app&lt;/b&gt; — 412 of 2000 sent');
    expect(html).not.toContain('<b>app</b>');
    expect(html).toContain('href="https://rapport.example/dashboard/alerts/alr_3"');
    expect(html).toContain('href="https://rapport.example/dashboard"');
  });

  it('sits in the approval view when given, and is absent without one', () => {
    const alert = {
      id: 'alr_01jtestalert0000000000000b',
      status: 'awaiting_approval',
      version: 1,
      title: 'T',
      preview: 'P',
      topic: 'rates',
      requester: 'analyst@rapport.example',
      channels: ['email'],
      approverGroup: 'alerts',
      audience: null,
      decision: null,
      createdAt: '2026-12-06T08:00:00.000Z',
      trailUrl: null,
      you: { email: 'approver@rapport.example', role: 'approver', canDecide: true },
    } as unknown as ApprovalAlertView;
    expect(render(<ApprovalView alertId={alert.id} alert={alert} summary={summary} />)).toContain(
      'data-testid="live-summary"',
    );
    expect(render(<ApprovalView alertId={alert.id} alert={alert} />)).not.toContain('data-testid="live-summary"');
  });
});
