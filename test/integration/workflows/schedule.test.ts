import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sweepStaleWork } from '../../../workflows/maintenance/workflows.js';
import { ensureSchedule } from '../../../workflows/start.js';

/** Every API process calls ensureSchedule at start-up: the first creates, the rest change nothing. */
let temporal: Client;
const id = `test-schedule-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});
afterAll(async () => {
  await temporal.schedule
    .getHandle(id)
    .delete()
    .catch(() => undefined);
  await temporal.connection.close();
});

describe('ensureSchedule', () => {
  it('creates once when many processes start together, then keeps it; a new version moves it to its settings', async () => {
    const options = { scheduleId: id, taskQueue: 'q1', everyMs: 60_000, runTimeoutMs: 600_000 };
    const outcomes = await Promise.all([1, 2, 3].map(() => ensureSchedule(temporal.schedule, sweepStaleWork, options)));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(2);

    expect(
      await ensureSchedule(temporal.schedule, sweepStaleWork, { ...options, taskQueue: 'q2', everyMs: 120_000 }),
    ).toBe('updated');
    const described = await temporal.schedule.getHandle(id).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'sweepStaleWork', taskQueue: 'q2' });
    expect(described.spec.intervals).toMatchObject([{ every: 120_000 }]);
    expect(described.policies.overlap).toBe('SKIP');
    expect(
      await ensureSchedule(temporal.schedule, sweepStaleWork, { ...options, taskQueue: 'q2', everyMs: 120_000 }),
    ).toBe('unchanged');
  });
});
