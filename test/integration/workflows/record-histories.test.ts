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
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { sweepScheduleId } from '../../../workflows/maintenance/shared.js';
import {
  BROADCAST_ENV,
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
});
