import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalStore } from '../../../store/approvals.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, getAlert, submit, waitForStatus } from './support.js';

/**
 * A decision's record (workflows/broadcast/activities.ts recordDecision) writes the audit row and
 * the alert's status in one transaction: when the status write fails and is retried, the audit
 * log does not gain a row per attempt; when the record gives up, no row says it was accepted.
 */
let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({ env: BROADCAST_ENV });
});
afterAll(async () => {
  await t?.stop();
});

const accepted = async (id: string) =>
  (await createApprovalStore(t.db).auditFor(id)).filter((r) => r.outcome === 'accepted' && r.action === 'reject');

describe("a decision's audit row and the alert's status", () => {
  it('a status write that fails for a while, then works: one audit row, not one per attempt', async () => {
    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    // A rule the code does not know refuses the status write (a retryable failure) until it is dropped.
    await t.db.query(
      `alter table alerts add constraint decision_record_check check (decision_comment is null or decision_comment not like '%hold-me%')`,
    );
    let dropped = false;
    try {
      const answer = t.api(`/api/alerts/${id}/decision`, {
        method: 'POST',
        json: { approver: APPROVER, decision: 'reject', reason: 'hold-me: not now' },
      });
      // The record is retried (after 1 s, then 2 s): let it fail a few times first.
      await new Promise((r) => setTimeout(r, 3_500));
      await t.db.query('alter table alerts drop constraint decision_record_check');
      dropped = true;
      expect((await answer).status).toBe(200);
    } finally {
      if (!dropped) await t.db.query('alter table alerts drop constraint decision_record_check');
    }
    expect(await accepted(id)).toHaveLength(1);
    expect((await getAlert(t, id)).status).toBe('rejected');
  });
});
