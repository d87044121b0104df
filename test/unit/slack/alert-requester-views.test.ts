import { describe, expect, it } from 'vitest';
import { validateMessage, validateView } from '../../../sandbox/slack/validate.js';
import {
  noticeModal,
  readReviseModal,
  requesterMessage,
  reviseModal,
  type AlertSnapshot,
} from '../../../slack-app/blocks/alert.js';
import { SLACK_LIMITS } from '../../../slack-app/blocks/limits.js';
import { CANCELLABLE_STATUSES } from '../../../store/alerts.js';
import { ACTIONS, ALERT_BLOCKS, VIEWS } from '../../../slack-app/ids.js';

const ID = 'alr_01jdz0000000000000000000ab';
const long = (n: number) => 'x'.repeat(n);

function snap(overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    id: ID,
    title: 'Rates move',
    body: 'Our **fixed deposit** rates rise Monday.',
    topic: 'rates',
    requester: 'analyst@bank.example',
    status: 'awaiting_approval',
    version: 1,
    summary: null,
    counts: null,
    decidedBy: null,
    decisionComment: null,
    approvedAt: null,
    responses: 0,
    ...overrides,
  };
}

const valid = (m: { text: string; blocks: unknown[] }) => {
  expect(validateMessage(m as never, SLACK_LIMITS.messageText).problems).toEqual([]);
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
};

type Button = { action_id: string; value: string; confirm?: Record<string, { text: string }> };
const buttons = (m: { blocks: unknown[] }): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!);

describe("the requester's alert message", () => {
  it('changes requested: the approver and comment, and Revise + Cancel', () => {
    const m = requesterMessage(
      snap({
        status: 'changes_requested',
        decidedBy: 'approver@bank.example',
        decisionComment: 'Say <which> products',
      }),
    );
    valid(m);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('Changes requested by approver@bank.example');
    expect(all).toContain('Say &lt;which&gt; products');
    expect(buttons(m).map((b) => b.action_id)).toEqual([ACTIONS.reviseAlert, ACTIONS.cancelAlert]);
    expect(buttons(m).every((b) => b.value === `${ID}:1`)).toBe(true);
  });

  it('Cancel carries a confirm dialog while awaiting approval or sending; none once over', () => {
    for (const status of ['awaiting_approval', 'approved', 'dispatching']) {
      const m = requesterMessage(
        snap({ status, approvedAt: status === 'awaiting_approval' ? null : '2026-01-01T00:00:00Z' }),
      );
      valid(m);
      const [cancel, ...rest] = buttons(m);
      expect(rest).toEqual([]);
      expect(cancel!.action_id).toBe(ACTIONS.cancelAlert);
      expect(cancel!.confirm?.title?.text).toBe('Cancel this alert?');
      expect(cancel!.confirm?.deny?.text).toBe('Keep it');
    }
    expect(JSON.stringify(buttons(requesterMessage(snap({ status: 'dispatching' }))))).toContain('already sent');
    for (const status of ['following_up', 'completed', 'rejected', 'expired', 'cancelled', 'failed']) {
      expect(CANCELLABLE_STATUSES.has(status)).toBe(false);
      expect(buttons(requesterMessage(snap({ status })))).toEqual([]);
    }
  });

  it('cancelled: by whom, and what went out stays in the counts', () => {
    const m = requesterMessage(
      snap({
        status: 'cancelled',
        decidedBy: 'approver@bank.example',
        approvedAt: '2026-01-01T00:00:00Z',
        decisionComment: 'cancelled by analyst@bank.example',
        counts: {
          total: 10,
          pending: 0,
          sending: 0,
          sent: 4,
          failed: 0,
          bounced: 0,
          unconfirmed: 0,
          cancelled: 6,
          responded: 0,
        },
      }),
    );
    valid(m);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('Cancelled by analyst@bank.example');
    expect(all).toContain('Approved by approver@bank.example');
    expect(all).toContain('Sent *4* of 10');
    expect(all).toContain('cancelled 6');
    expect(buttons(m)).toEqual([]);
    const withReason = requesterMessage(snap({ status: 'cancelled', decisionComment: 'wrong day' }));
    expect(JSON.stringify(withReason.blocks)).toContain('Cancelled: “wrong day”');
  });

  it('the validator rejects a bad confirm dialog', () => {
    const m = requesterMessage(snap());
    const bad = JSON.parse(JSON.stringify(m)) as { text: string; blocks: { elements?: Button[] }[] };
    const cancel = bad.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.cancelAlert)!;
    cancel.confirm!.confirm = { type: 'plain_text', text: long(31) } as never;
    expect(validateMessage(bad as never, SLACK_LIMITS.messageText).problems.join()).toMatch(/confirm\/confirm/);
  });
});

describe('the revision modal', () => {
  const current = {
    title: 'Rates move',
    body: 'Old body',
    decidedBy: 'approver@bank.example',
    comment: 'Name the products',
  };

  it('is valid, prefilled with title and message, with the approver comment on top', () => {
    const view = reviseModal({ alertId: ID, version: 1, channelId: 'D1' }, current);
    expect(validateView(view).problems).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.reviseAlert);
    const all = JSON.stringify(view.blocks);
    expect(all).toContain('approver@bank.example asks');
    expect(all).toContain('Name the products');
    expect(all).toContain('"initial_value":"Rates move"');
    expect(all).toContain('"initial_value":"Old body"');
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual([
      ALERT_BLOCKS.title,
      ALERT_BLOCKS.message,
      ALERT_BLOCKS.revisionComment,
    ]);
  });

  it('stays valid with content beyond what Slack lets one edit: a long message is kept, not cut', () => {
    const view = reviseModal(
      { alertId: ID, version: 2 },
      { ...current, title: long(500), body: long(20_000), comment: long(5000) },
    );
    expect(validateView(view).problems).toEqual([]);
    expect(view.blocks.map((b) => b.block_id)).not.toContain(ALERT_BLOCKS.message);
    const read = readReviseModal(view.private_metadata, { [ALERT_BLOCKS.title]: { value: { value: 'New' } } });
    expect(read).toEqual({ ok: true, meta: { alertId: ID, version: 2, keepBody: true }, title: 'New' });
  });

  it('reads a submission, with errors beside the fields', () => {
    const meta = reviseModal({ alertId: ID, version: 1, channelId: 'D1' }, current).private_metadata;
    expect(
      readReviseModal(meta, {
        [ALERT_BLOCKS.title]: { value: { value: ' New\ntitle ' } },
        [ALERT_BLOCKS.message]: { value: { value: 'New body' } },
        [ALERT_BLOCKS.revisionComment]: { value: { value: ' done ' } },
      }),
    ).toEqual({
      ok: true,
      meta: { alertId: ID, version: 1, channelId: 'D1' },
      title: 'New title',
      body: 'New body',
      comment: 'done',
    });
    const bad = readReviseModal(meta, {
      [ALERT_BLOCKS.title]: { value: { value: ' ' } },
      [ALERT_BLOCKS.message]: { value: { value: '  ' } },
    });
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok)
      expect(Object.keys(bad.errors).sort()).toEqual([ALERT_BLOCKS.message, ALERT_BLOCKS.title].sort());
    expect(readReviseModal('{"alertId":"x"}', {})).toBeNull();
  });

  it('a notice modal is valid', () => {
    expect(validateView(noticeModal(long(50), long(5000))).problems).toEqual([]);
  });
});
