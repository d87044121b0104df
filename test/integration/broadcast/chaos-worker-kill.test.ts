/**
 * Chaos: the worker process is SIGKILLed five times during a 20,000-recipient email dispatch and
 * restarted each time (see chaos-kill-scenario.ts for what must hold). The SMTP catcher answers
 * at once, so the worker's SMTP pool always has messages queued for its connections when it dies:
 * those must not be reported unconfirmed, only the ones on a connection.
 *
 * Real parts: see chaos-stack.ts; 25,000 list memberships in the HubSpot sandbox.
 *
 * Each kill stalls the dispatch until Temporal gives up on the dead worker's activities: the
 * send activities' heartbeat timeout (15 s, workflows/broadcast/workflows.ts), CRM logging's
 * 2 minutes. So this test takes a few minutes, most of it waiting on those timeouts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { killDuringDispatch } from './chaos-kill-scenario.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';

const MEMBERSHIPS = 25_000;
const OVERLAP = 0.2; // 20,000 unique contacts on 5 lists

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({ name: 'chaos-kill', memberships: MEMBERSHIPS, lists: 5, overlap: OVERLAP });
});

afterAll(async () => {
  await stack?.close();
});

describe('a worker SIGKILLed five times during a 20,000-recipient dispatch', () => {
  it(
    'sends each recipient once or reports it unconfirmed: at most one per SMTP connection per kill',
    { timeout: 12 * 60_000 },
    () =>
      killDuringDispatch(stack, {
        memberships: MEMBERSHIPS,
        killAfter: [1_500, 400, 400, 400, 400],
        completeWithinMs: 9 * 60_000,
        log: (line) => console.log(`[chaos:worker-kill] ${line}`),
      }),
  );
});
