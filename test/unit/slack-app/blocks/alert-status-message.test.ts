import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../../channels/slack/limits.js';
import { isCancellable, type AlertStatus } from '../../../../domain/vocabulary/index.js';
import { validateMessage } from '../../../../sandbox/slack/validate.js';
import {
  approverMessage,
  progressBar,
  readDecisionValue,
  requesterMessage,
} from '../../../../slack-app/blocks/alert-status-message.js';
import { ACTIONS } from '../../../../slack-app/ids.js';
import { ID, long, snap, summary, validMessage } from './alert-fixtures.js';

type Button = { action_id: string; value: string; confirm?: Record<string, { text: string }> };
const buttons = (m: { blocks: unknown[] }): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!);

describe("the requester's alert message", () => {
  it('the preview shows lists, memberships, unique, channel mix and suppressed by reason', () => {
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
    expect(all).not.toContain('not configured');
  });

  it('says when a channel has no adapter and its would-be recipients are counted under their fallback', () => {
    const m = requesterMessage(snap({ summary: { ...summary(), unconfiguredChannels: { slack: 3 } } }));
    validMessage(m);
    expect(JSON.stringify(m.blocks)).toContain(
      'Slack is not configured here: 3 would-be Slack recipients are counted under their fallback channel.',
    );
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

  it("links the requester's and the approver's own trail page, escaped; none without a link", () => {
    const url = 'https://rapport.bank.example/trail/abc.def?x=1&y=<2>';
    for (const m of [requesterMessage(snap(), url), approverMessage(snap(), 1, url)]) {
      validMessage(m);
      const all = JSON.stringify(m.blocks);
      expect(all).toContain('See the trail');
      expect(all).toContain('<https://rapport.bank.example/trail/abc.def?x=1&y=%3C2%3E|See the trail>');
    }
    expect(JSON.stringify(requesterMessage(snap()).blocks)).not.toContain('See the trail');
    expect(JSON.stringify(approverMessage(snap(), 1).blocks)).not.toContain('See the trail');
  });

  it('stays within Slack limits with huge content', () => {
    const m = requesterMessage(snap({ title: long(5000), topic: long(500), summary: summary(500) }));
    validMessage(m);
    const a = approverMessage(snap({ title: long(5000), body: long(30_000), summary: summary(500) }), 1);
    validMessage(a);
  });

  it('changes requested: the approver and comment, and Revise + Cancel', () => {
    const m = requesterMessage(
      snap({
        status: 'changes_requested',
        decidedBy: 'approver@bank.example',
        decisionComment: 'Say <which> products',
      }),
    );
    validMessage(m);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('Changes requested by approver@bank.example');
    expect(all).toContain('Say &lt;which&gt; products');
    expect(buttons(m).map((b) => b.action_id)).toEqual([ACTIONS.reviseAlert, ACTIONS.cancelAlert]);
    expect(buttons(m).every((b) => b.value === `${ID}:1`)).toBe(true);
  });

  it('Cancel carries a confirm dialog while awaiting approval or sending; none once over', () => {
    for (const status of ['awaiting_approval', 'approved', 'dispatching'] satisfies AlertStatus[]) {
      const m = requesterMessage(
        snap({ status, approvedAt: status === 'awaiting_approval' ? null : '2026-01-01T00:00:00Z' }),
      );
      validMessage(m);
      const [cancel, ...rest] = buttons(m);
      expect(rest).toEqual([]);
      expect(cancel!.action_id).toBe(ACTIONS.cancelAlert);
      expect(cancel!.confirm?.title?.text).toBe('Cancel this alert?');
      expect(cancel!.confirm?.deny?.text).toBe('Keep it');
    }
    expect(JSON.stringify(buttons(requesterMessage(snap({ status: 'dispatching' }))))).toContain('already sent');
    for (const status of [
      'following_up',
      'completed',
      'rejected',
      'expired',
      'cancelled',
      'failed',
    ] satisfies AlertStatus[]) {
      expect(isCancellable(status)).toBe(false);
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
    validMessage(m);
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

describe("the approver's DM", () => {
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
});

describe('the link to the workflow in the Temporal Web UI', () => {
  const url = `http://localhost:8233/namespaces/default/workflows/${ID}`;
  const footer = (m: { blocks: unknown[] }) => JSON.stringify((m.blocks as { type: string }[]).at(-1));

  it("is in the requester's message and the approver's DM when TEMPORAL_UI_URL is configured", () => {
    for (const m of [requesterMessage(snap({ workflowUrl: url })), approverMessage(snap({ workflowUrl: url }), 1)]) {
      validMessage(m);
      expect(footer(m)).toContain(`<${url}|workflow in Temporal>`);
    }
  });

  it('is absent when it is not', () => {
    expect(footer(requesterMessage(snap()))).not.toContain('Temporal');
    expect(footer(approverMessage(snap(), 1))).not.toContain('Temporal');
  });
});
