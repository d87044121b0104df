import { describe, expect, it } from 'vitest';
import type { AudienceSummary } from '../../../domain/audience/summary.js';
import { SUPPRESSION_REASONS, type SuppressionReason } from '../../../domain/audience/types.js';
import { validateMessage, validateView } from '../../../sandbox/slack/validate.js';
import {
  alertModal,
  approverMessage,
  listOption,
  parseAlertSubmission,
  progressBar,
  readDecisionValue,
  readFollowUpValue,
  readReasonModal,
  reasonModal,
  requesterMessage,
  responseMessage,
  type AlertSnapshot,
} from '../../../slack-app/blocks/alert.js';
import { homeView } from '../../../slack-app/blocks/home.js';
import { SLACK_LIMITS } from '../../../slack-app/blocks/limits.js';
import { ACTIONS, ALERT_BLOCKS, HOME_BLOCKS, VIEWS } from '../../../slack-app/ids.js';

const ID = 'alr_01jdz0000000000000000000ab';
const long = (n: number) => 'x'.repeat(n);

function summary(lists = 3): AudienceSummary {
  const suppressedByReason = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<
    SuppressionReason,
    number
  >;
  suppressedByReason.DUPLICATE_EMAIL = 2;
  suppressedByReason.OPTED_OUT = 1;
  return {
    lists: Array.from({ length: lists }, (_, i) => ({
      id: String(i + 1),
      name: `List ${i + 1} ${long(200)}`,
      memberships: 10,
    })),
    totalMemberships: 30,
    uniqueContacts: 20,
    duplicates: 10,
    deliveries: 17,
    channelMix: { email: 17, slack: 0, sms: 0 },
    suppressedByReason,
    delayedByQuietHours: 4,
  };
}

function snap(overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    id: ID,
    title: 'Rates move',
    body: 'Our **fixed deposit** rates rise <b>Monday</b>.',
    topic: 'rates',
    requester: 'analyst@bank.example',
    status: 'awaiting_approval',
    version: 1,
    summary: summary(),
    counts: null,
    decidedBy: null,
    decisionComment: null,
    approvedAt: null,
    responses: 0,
    ...overrides,
  };
}

const validMessage = (m: { text: string; blocks: unknown[] }) => {
  expect(validateMessage(m as never, SLACK_LIMITS.messageText).problems).toEqual([]);
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
};

describe('alert request modal', () => {
  it('is a valid modal with every field, the lists searching the CRM', () => {
    const view = alertModal({ channelId: 'C1' });
    expect(validateView(view).problems).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.requestAlert);
    expect(view.blocks.map((b) => b.block_id)).toEqual([
      ALERT_BLOCKS.title,
      ALERT_BLOCKS.message,
      ALERT_BLOCKS.topic,
      ALERT_BLOCKS.lists,
      ALERT_BLOCKS.channels,
      ALERT_BLOCKS.replyTo,
      ALERT_BLOCKS.notBefore,
      ALERT_BLOCKS.notAfter,
    ]);
    expect(JSON.stringify(view)).toContain(ACTIONS.alertLists);
  });

  it('list options show member counts within 75 characters', () => {
    const o = listOption({ id: '12', name: long(300), size: 12345 });
    expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(o.text.text).toMatch(/\(12,345 members\)$/);
    expect(listOption({ id: '1', name: 'One', size: 1 }).text.text).toBe('One (1 member)');
  });

  it('parses a submission into an alert request, send window included', () => {
    const at = Date.parse('2026-12-01T09:00:00Z') / 1000;
    const parsed = parseAlertSubmission({
      [ALERT_BLOCKS.title]: { value: { value: 'Title' } },
      [ALERT_BLOCKS.message]: { value: { value: 'Body' } },
      [ALERT_BLOCKS.topic]: { value: { value: 'rates' } },
      [ALERT_BLOCKS.lists]: {
        [ACTIONS.alertLists]: { selected_options: [{ value: '1' }, { value: '2' }, { value: '1' }] },
      },
      [ALERT_BLOCKS.channels]: { value: { selected_options: [{ value: 'email' }, { value: 'sms' }] } },
      [ALERT_BLOCKS.replyTo]: { value: { selected_option: { value: 'owner' } } },
      [ALERT_BLOCKS.notBefore]: { value: { selected_date_time: at } },
      [ALERT_BLOCKS.notAfter]: { value: { selected_date_time: null } },
    });
    expect(parsed).toEqual({
      ok: true,
      draft: expect.objectContaining({
        title: 'Title',
        lists: ['1', '2'],
        channels: ['email', 'sms'],
        replyTo: 'owner',
        sendWindow: { notBefore: '2026-12-01T09:00:00.000Z' },
        approverGroup: 'alerts',
      }),
    });
  });

  it('puts errors beside the fields', () => {
    const at = Date.parse('2026-12-01T09:00:00Z') / 1000;
    const parsed = parseAlertSubmission({
      [ALERT_BLOCKS.title]: { value: { value: '  ' } },
      [ALERT_BLOCKS.message]: { value: { value: 'Body' } },
      [ALERT_BLOCKS.topic]: { value: { value: 'rates' } },
      [ALERT_BLOCKS.channels]: { value: { selected_options: [] } },
      [ALERT_BLOCKS.notBefore]: { value: { selected_date_time: at } },
      [ALERT_BLOCKS.notAfter]: { value: { selected_date_time: at - 60 } },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      [ALERT_BLOCKS.title, ALERT_BLOCKS.lists, ALERT_BLOCKS.channels, ALERT_BLOCKS.notAfter].sort(),
    );
    expect(parseAlertSubmission('nonsense').ok).toBe(false);
  });
});

describe('alert messages', () => {
  it('the requester preview shows lists, memberships, unique, channel mix and suppressed by reason', () => {
    const m = requesterMessage(snap());
    validMessage(m);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('30 memberships');
    expect(all).toContain('20 unique contacts (10 duplicates)');
    expect(all).toContain('17 will receive it');
    expect(all).toContain('Email 17');
    expect(all).toContain('duplicate email: 2');
    expect(all).toContain('opted out: 1');
    expect(all).toContain('4 wait for quiet hours');
  });

  it('shows who approved and live progress with a text progress bar', () => {
    const m = requesterMessage(
      snap({
        status: 'dispatching',
        decidedBy: 'approver@bank.example',
        approvedAt: '2026-11-25T00:00:00Z',
        counts: {
          total: 17,
          pending: 7,
          sending: 0,
          sent: 8,
          failed: 1,
          bounced: 1,
          unconfirmed: 0,
          cancelled: 0,
          responded: 2,
        },
        responses: 2,
      }),
    );
    validMessage(m);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('Approved by approver@bank.example');
    expect(all).toContain('Sent *8* of 17');
    expect(all).toContain('failed 2');
    expect(all).toContain('responses so far *2*');
    expect(progressBar(10, 17)).toMatch(/^▓{12}░{8} 58%$/);
    expect(progressBar(0, 0)).toBe(`${'░'.repeat(20)} 0%`);
    expect(progressBar(30, 17)).toMatch(/100%$/);
  });

  it('stays within Slack limits with huge content', () => {
    const m = requesterMessage(snap({ title: long(5000), topic: long(500), summary: summary(500) }));
    validMessage(m);
    const a = approverMessage(snap({ title: long(5000), body: long(30_000), summary: summary(500) }), 1);
    validMessage(a);
  });

  it('the approver DM has the three buttons while waiting, then who decided and how', () => {
    const waiting = approverMessage(snap(), 1);
    validMessage(waiting);
    const ids = JSON.stringify(waiting.blocks);
    for (const id of [ACTIONS.approveAlert, ACTIONS.rejectAlert, ACTIONS.requestChanges]) expect(ids).toContain(id);
    expect(ids).toContain(`${ID}:1`);
    expect(ids).toContain('&lt;b&gt;');

    const rejected = approverMessage(
      snap({ status: 'rejected', decidedBy: 'officer@bank.example', decisionComment: 'Wrong list' }),
      1,
    );
    validMessage(rejected);
    expect(JSON.stringify(rejected.blocks)).not.toContain(ACTIONS.approveAlert);
    expect(JSON.stringify(rejected.blocks)).toContain('Rejected by officer@bank.example');
    const approved = approverMessage(
      snap({ status: 'completed', decidedBy: 'approver@bank.example', approvedAt: '2026-11-25T00:00:00Z' }),
      1,
    );
    expect(JSON.stringify(approved.blocks)).toContain('Approved by approver@bank.example');
    const replaced = approverMessage(snap({ version: 2 }), 1);
    expect(JSON.stringify(replaced.blocks)).toContain('replaced by version 2');
    expect(JSON.stringify(approverMessage(snap({ status: 'expired' }), 1).blocks)).toContain('Expired');
  });

  it('button values round-trip and refuse anything else', () => {
    expect(readDecisionValue(`${ID}:3`)).toEqual({ alertId: ID, version: 3 });
    expect(readDecisionValue('alr_x:1')).toBeNull();
    expect(readDecisionValue(undefined)).toBeNull();
  });

  it('the reason modal is valid and requires a reason', () => {
    const view = reasonModal({ alertId: ID, version: 1, decision: 'reject' }, long(500));
    expect(validateView(view).problems).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.rejectAlert);
    expect(validateView(reasonModal({ alertId: ID, version: 1, decision: 'request_changes' }, 't')).problems).toEqual(
      [],
    );
    const read = readReasonModal(view.private_metadata, { [ALERT_BLOCKS.reason]: { value: { value: ' why ' } } });
    expect(read).toEqual({ meta: { alertId: ID, version: 1, decision: 'reject' }, reason: 'why' });
    expect(readReasonModal('{"alertId":"x"}', {})).toBeNull();
  });

  it('a customer response DM carries the reply and a Log follow-up button', () => {
    const m = responseMessage({
      alertId: ID,
      alertTitle: 'Rates move',
      contactId: '101',
      customer: 'Joe Smith',
      kind: 'reply',
      body: `Please call me ${long(5000)}`,
      crmUrl: 'http://crm/101',
    });
    validMessage(m);
    const button = JSON.stringify(m.blocks);
    expect(button).toContain(ACTIONS.logFollowUp);
    expect(button).toContain('Please call me');
    const value = (m.blocks.find((b) => b.type === 'actions') as { elements: { value?: string }[] }).elements[0]!.value;
    expect(readFollowUpValue(value)).toEqual({ contactId: '101', alertId: ID, kind: 'reply' });
    expect(readFollowUpValue('{"c":"abc"}')).toBeNull();
  });

  it('App Home lists pending approvals and my alerts', () => {
    const home = homeView({
      email: 'a@b.example',
      approvals: [
        { alertId: ID, title: 'Rates', requestedBy: 'x@b.example', audience: 17, requestedAt: '2026-11-25T00:00:00Z' },
      ],
      alerts: [{ alertId: ID, title: 'Mine', status: 'awaiting approval', at: '2026-11-25T00:00:00Z' }],
      touches: [],
      touchesTotal: 0,
      touchLimit: 10,
    });
    expect(validateView(home).problems).toEqual([]);
    const all = JSON.stringify(home.blocks);
    expect(all).toContain(HOME_BLOCKS.approvals);
    expect(all).toContain('17 recipients');
    expect(all).toContain('awaiting approval');
  });
});
