import { describe, expect, it } from 'vitest';
import { approverMessage } from '../../../../slack-app/blocks/alert-status-message.js';
import { ACTIONS } from '../../../../slack-app/ids.js';
import { snap, summary, validMessage } from './alert-fixtures.js';

const timing = (
  urgentAllowed: boolean,
  schedule: { kind: 'weekdays'; time: string } | null = { kind: 'weekdays', time: '08:30' },
) => ({
  ...summary(),
  timing: { schedule, urgentAllowed, timeZones: { 'Europe/London': 1204, 'Asia/Tokyo': 12 } },
});

const actionIds = (blocks: unknown[]) =>
  blocks.flatMap((b) => ((b as { elements?: { action_id?: string }[] }).elements ?? []).map((e) => e.action_id));

describe('the Slack approval DM says when and offers urgent', () => {
  it('shows when it goes out and an "Approve, send now" button with a confirmation when the topic allows it', () => {
    const m = approverMessage(snap({ status: 'awaiting_approval', summary: timing(true) }), 1);
    validMessage(m);
    const text = JSON.stringify(m.blocks);
    expect(text).toMatch(
      /\*When\*\\n1,216 at 08:30 local time on \w{3} \d{1,2} \w{3}; or all 1,216 now if marked urgent/,
    );
    expect(actionIds(m.blocks)).toContain(ACTIONS.approveAlertUrgent);
    expect(text).toContain('Send now?');
  });

  it('offers no urgent button when the topic does not allow it, or has no schedule', () => {
    for (const s of [timing(false), timing(true, null)]) {
      const m = approverMessage(snap({ status: 'awaiting_approval', summary: s }), 1);
      expect(actionIds(m.blocks)).toContain(ACTIONS.approveAlert);
      expect(actionIds(m.blocks)).not.toContain(ACTIONS.approveAlertUrgent);
    }
    expect(
      JSON.stringify(approverMessage(snap({ status: 'awaiting_approval', summary: timing(true, null) }), 1).blocks),
    ).toContain('1,216 now (as it happens)');
  });
});
