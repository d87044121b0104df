import { describe, expect, it } from 'vitest';
import { findAlertId } from '../../../../outlook-addin/src/headers.js';
import type { AlertRow } from '../../../../store/alerts.js';
import { emptyCounts, finalSummary } from '../../../../domain/broadcast/final-summary.js';
import { approvalRequest, finalSummaryNotice } from '../../../../workflows/broadcast/notices.js';

/** The approval email and the task pane agree on where the alert id is: header first, body line as fallback. */
const alert: AlertRow = {
  id: 'alr_01jtestalert0000000000000a',
  requester: 'analyst@bank.example',
  requesterId: null,
  title: 'Rates move',
  body: 'Our **rates** rise on Monday.',
  topic: 'rates',
  listIds: ['1'],
  channels: ['email'],
  replyOwner: 'analyst',
  sendWindow: null,
  approverGroup: 'alerts',
  status: 'awaiting_approval',
  version: 1,
  summary: null,
  counts: null,
  decidedBy: null,
  decisionComment: null,
  createdAt: '2026-11-24T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
  approvedAt: null,
  completedAt: null,
};

describe('approval email -> task pane alert id', () => {
  const notice = approvalRequest(
    alert,
    'approver@bank.example',
    'https://rapport.example/approvals/x.y',
    '2026-11-25T10:00:00Z',
    'rapport.example',
    false,
  );

  it('carries X-Rapport-Alert-Id, which the pane reads', () => {
    const raw = Object.entries(notice.headers ?? {})
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\r\n');
    expect(findAlertId({ headers: raw, subject: notice.subject })).toBe(alert.id);
  });

  it('carries the body fallback line for hosts that cannot read headers (text and HTML)', () => {
    expect(findAlertId({ headers: null, subject: notice.subject, body: notice.text })).toBe(alert.id);
    const htmlAsText = notice.html.replace(/<[^>]+>/g, '');
    expect(findAlertId({ headers: null, subject: notice.subject, body: htmlAsText })).toBe(alert.id);
  });
});

describe('the requester’s final summary', () => {
  it('says how many were reached on the fallback channel after their email bounced', () => {
    const counts = { ...emptyCounts(), total: 4, sent: 3, bounced: 1, sentAfterBounce: 2 };
    const notice = finalSummaryNotice(alert, finalSummary(counts), 'bank.example');
    expect(notice.text).toContain('3 (75%), 2 of them on the fallback channel after the email bounced');
    const none = finalSummaryNotice(alert, finalSummary({ ...counts, sentAfterBounce: 0 }), 'bank.example');
    expect(none.text).not.toContain('fallback');
  });
});

describe('the summary email', () => {
  const counts = {
    total: 4,
    pending: 0,
    sending: 0,
    sent: 3,
    failed: 0,
    bounced: 0,
    unconfirmed: 1,
    cancelled: 0,
    responded: 1,
  };

  it("links the requester's trail page, escaped, in HTML and text", () => {
    const url = 'https://rapport.example/trail/abc.def?a=1&b=2';
    const notice = finalSummaryNotice(alert, finalSummary(counts), 'rapport.example', url);
    expect(notice.html).toContain('href="https://rapport.example/trail/abc.def?a=1&amp;b=2"');
    expect(notice.html).toContain('See the whole trail');
    expect(notice.text).toContain(`The whole trail: ${url}`);
    expect(notice.text).toContain('Unconfirmed: 1');
  });

  it('has no trail line without a link', () => {
    const notice = finalSummaryNotice(alert, finalSummary(counts), 'rapport.example');
    expect(notice.html).not.toContain('/trail/');
    expect(notice.text).not.toContain('trail');
  });
});
