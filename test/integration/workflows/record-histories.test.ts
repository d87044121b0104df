/**
 * Records the histories the replay test (test/unit/workflows/replay.test.ts) replays: one finished
 * run of each workflow, small on purpose. Skipped unless asked for:
 *   RECORD_HISTORIES=1 npx vitest run test/integration/workflows/record-histories.test.ts
 * Re-record when a workflow changes on purpose (behind patched(), old histories must still replay:
 * keep those files and add the new ones under new names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { recordHistory } from '../../fixtures/histories.js';
import { sweepScheduleId } from '../../../workflows/maintenance/shared.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import {
  BROADCAST_ENV,
  OFFICER,
  REQUESTER,
  approve,
  form,
  htmlOf,
  linkPath,
  mailFor,
  submit,
  waitForStatus,
} from '../broadcast/support.js';

const recording = process.env.RECORD_HISTORIES === '1';
let t: TestRapport;

beforeAll(async () => {
  if (recording) t = await startTestRapport({ env: BROADCAST_ENV });
});
afterAll(async () => {
  await t?.stop();
});

describe.runIf(recording)('recording workflow histories', () => {
  it('records a touch logged to the CRM', async () => {
    const res = await t.api('/api/touches', {
      method: 'POST',
      json: {
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: 'Discussed the renewal',
        loggedBy: 'ana@rapport.example',
        answers: { main_goal: 'Cut reporting time in half' },
      },
    });
    const { id } = (await res.json()) as { id: string };
    await expect(t.rapport.temporal.workflow.getHandle(id).result()).resolves.toMatchObject({ status: 'synced' });
    await recordHistory(t.rapport.temporal, id);
  });

  it('records an approved alert to its summary, and a customer response to it', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);

    const [mail] = mailFor(t, DEMO.joe.email, alertId);
    const path = linkPath(await htmlOf(t, mail!.id), /\/r\/.*a=interested/);
    expect((await t.rapport.app.request(path.split('?')[0]!, form({ a: 'interested' }))).status).toBe(200);
    const response = await eventually(async () => {
      for await (const w of t.rapport.temporal.workflow.list({ query: `WorkflowId STARTS_WITH 'rsp_${alertId}'` }))
        return w.workflowId;
      return undefined;
    });
    await t.rapport.temporal.workflow.getHandle(response).result();
    await recordHistory(t.rapport.temporal, response);

    await expect(t.rapport.temporal.workflow.getHandle(alertId).result()).resolves.toMatchObject({
      phase: 'completed',
    });
    await recordHistory(t.rapport.temporal, alertId);
  });

  it('records a sweep started by its schedule', async () => {
    const scheduleId = sweepScheduleId(t.taskQueue);
    await t.rapport.temporal.schedule.getHandle(scheduleId).trigger();
    const run = await eventually(async () => {
      for await (const w of t.rapport.temporal.workflow.list({ query: `WorkflowId STARTS_WITH '${scheduleId}'` }))
        return w.workflowId;
      return undefined;
    });
    await expect(t.rapport.temporal.workflow.getHandle(run).result()).resolves.toEqual({
      touches: 0,
      alerts: 0,
      responses: 0,
    });
    await recordHistory(t.rapport.temporal, run);
  });

  it('records an alert sent back for changes, revised and approved', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    const decided = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: OFFICER, decision: 'request_changes', reason: 'Add the 36-month rate' },
    });
    expect(decided.status).toBe(200);
    await waitForStatus(t, alertId, 'changes_requested');
    const revised = await t.api(`/api/alerts/${alertId}/revision`, {
      method: 'PUT',
      json: { requester: REQUESTER, title: 'Rates move (revised)', body: 'Now with **36 months**: 3.50%' },
    });
    expect(revised.status).toBe(200);
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await expect(t.rapport.temporal.workflow.getHandle(alertId).result()).resolves.toMatchObject({
      phase: 'completed',
    });
    await recordHistory(t.rapport.temporal, alertId, { variant: 'revised' });
  });

  it('records a resend to an unconfirmed row, from the trail', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
    // As a worker that died mid-send leaves it.
    await t.db.query(`update deliveries set status = 'unconfirmed' where alert_id = $1 and contact_id = $2`, [
      alertId,
      DEMO.joe.id,
    ]);
    const res = await t.api(`/api/alerts/${alertId}/trail/resend`, {
      method: 'POST',
      json: { confirm: true, key: 'record-resend-1' },
      headers: { authorization: await t.as(REQUESTER) },
    });
    expect(res.status).toBe(202);
    const { resendId } = (await res.json()) as { resendId: string };
    const id = `resend_${alertId}_${resendId}`;
    await expect(t.rapport.temporal.workflow.getHandle(id).result()).resolves.toEqual({ sent: 1 });
    await recordHistory(t.rapport.temporal, id);
  });

  it('records an alert cancelled while it waits for approval', async () => {
    const alertId = await submit(t, { lists: ['1'] });
    await waitForStatus(t, alertId, 'awaiting_approval');
    const res = await t.api(`/api/alerts/${alertId}/cancel`, { method: 'POST', json: { by: REQUESTER } });
    expect(res.status).toBeLessThan(300);
    await expect(t.rapport.temporal.workflow.getHandle(alertId).result()).resolves.toMatchObject({
      phase: 'cancelled',
    });
    await recordHistory(t.rapport.temporal, alertId, { variant: 'cancelled' });
  });
});

describe.runIf(recording)('recording a dispatch that continues as new', () => {
  let small: TestRapport;
  beforeAll(async () => {
    // Tiny batches and history budget, as test/integration/broadcast/continue-as-new.test.ts uses.
    small = await startTestRapport({ env: { ...BROADCAST_ENV, ALERT_BATCH_SIZE: '5', ALERT_HISTORY_EVENTS: '60' } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('records its first run (ending in continue-as-new) and the run that resumes it', async () => {
    const alertId = await submit(small, { lists: ['2'] });
    await waitForStatus(small, alertId, 'awaiting_approval');
    await approve(small, alertId);
    await small.rapport.temporal.workflow.getHandle(alertId).result();
    const runs = [];
    for await (const w of small.rapport.temporal.workflow.list({ query: `WorkflowId = '${alertId}'` })) runs.push(w);
    runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    expect(runs.length).toBeGreaterThan(2);
    await recordHistory(small.rapport.temporal, alertId, { variant: 'continued-1', runId: runs[0]!.runId });
    await recordHistory(small.rapport.temporal, alertId, { variant: 'continued-2', runId: runs[1]!.runId });
  });
});
