import { describe, expect, it } from 'vitest';
import { validateView } from '../../../../sandbox/slack/validate.js';
import {
  noticeModal,
  readReasonModal,
  readReviseModal,
  reasonModal,
  reviseModal,
} from '../../../../slack-app/blocks/alert-decision-modals.js';
import { ALERT_BLOCKS, VIEWS } from '../../../../slack-app/ids.js';
import { ID, long } from './alert-fixtures.js';

describe('the reason modal of Reject and Request changes', () => {
  it('is valid and requires a reason', () => {
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
    const nul = readReviseModal(meta, {
      [ALERT_BLOCKS.title]: { value: { value: 'New' } },
      [ALERT_BLOCKS.message]: { value: { value: 'New body' } },
      [ALERT_BLOCKS.revisionComment]: { value: { value: 'done\u0000' } },
    });
    expect(nul).toEqual({
      ok: false,
      errors: { [ALERT_BLOCKS.revisionComment]: 'The note must not contain control characters (U+0000 at position 5)' },
    });
    expect(readReviseModal('{"alertId":"x"}', {})).toBeNull();
  });

  it('a notice modal is valid', () => {
    expect(validateView(noticeModal(long(50), long(5000))).problems).toEqual([]);
  });
});
