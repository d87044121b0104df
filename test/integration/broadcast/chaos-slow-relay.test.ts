/**
 * Chaos with a mail server like a real relay: it answers each message after 50-250 ms, so most of
 * a worker's sends wait in its SMTP pool for one of the five connections. The worker process is
 * SIGKILLed six times during a 2,000-recipient dispatch and restarted each time (see
 * chaos-kill-scenario.ts for what must hold). Only messages on a connection may be reported
 * unconfirmed, and each of those reached the server; the queued ones go out with the retry.
 *
 * Real parts: see chaos-stack.ts. About 30 messages a second get through five connections at
 * ~150 ms each; with each kill's 15 s heartbeat timeout this takes a few minutes.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { killDuringDispatch } from './chaos-kill-scenario.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';

const MEMBERSHIPS = 2_500;
const OVERLAP = 0.2; // 2,000 unique contacts on 5 lists

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({ name: 'chaos-relay', memberships: MEMBERSHIPS, lists: 5, overlap: OVERLAP });
  stack.catcher.faults.setLatency({ minMs: 50, maxMs: 250 });
});

afterAll(async () => {
  await stack?.close();
});

describe('a worker SIGKILLed six times while a slow relay takes its mail', () => {
  it(
    'reports unconfirmed only messages that reached the relay, at most one per connection per kill',
    { timeout: 12 * 60_000 },
    () =>
      killDuringDispatch(stack, {
        memberships: MEMBERSHIPS,
        killAfter: [150, 100, 100, 100, 100, 100],
        completeWithinMs: 9 * 60_000,
        log: (line) => console.log(`[chaos:slow-relay] ${line}`),
      }),
  );
});
