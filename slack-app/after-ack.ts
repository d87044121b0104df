import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * The work listeners do after ack() (Web API calls, CRM and store look-ups) runs on the event
 * loop that also acknowledges Slack's requests, and Slack gives every request 3 s. Slack delivers
 * a busy workspace's clicks together, so follow-ups started as soon as their own request was
 * answered would sit in front of the acknowledgements of the requests still arriving. Here a
 * follow-up waits until the burst is answered: no Slack request waits for its ack and none came
 * in for `quietMs`. It never waits longer than `maxHoldMs` (a steady stream of requests must not
 * starve follow-ups), and follow-ups that hold a trigger_id (they open a modal; Slack voids the
 * trigger 3 s after the click) go first, with a shorter hold. A few start per turn of the event
 * loop, so requests arriving meanwhile are read in between.
 */
export interface AfterAckOptions {
  /** No Slack request for this long: the burst is over (default 20 ms). */
  quietMs?: number;
  /** Longest wait of an ordinary follow-up (default 1000 ms). */
  maxHoldMs?: number;
  /** Longest wait of a follow-up holding a trigger_id (default 250 ms). */
  urgentMaxHoldMs?: number;
  /** Ordinary follow-ups running at once (default 32); those holding a trigger_id are not limited. */
  maxRunning?: number;
  /** Follow-ups started per turn of the event loop (default 4). */
  startsPerTurn?: number;
  now?: () => number;
}

export interface AfterAck {
  /** The receiver: a Slack request came in. */
  arrived(): void;
  /** The receiver: its HTTP answer is out. */
  answered(): void;
  /** After ack(): work that opens a modal with the request's trigger_id first thing. */
  urgent(what: string, work: () => Promise<unknown>): void;
  /** After ack(): any other work. */
  later(what: string, work: () => Promise<unknown>): void;
  /** Resolves once nothing is queued or running. */
  drained(): Promise<void>;
}

interface Task {
  what: string;
  work: () => Promise<unknown>;
  at: number;
  urgent: boolean;
}

export function createAfterAck(logger: Pick<Logger, 'error'>, options: AfterAckOptions = {}): AfterAck {
  // A burst's requests come over a few milliseconds; on a busy machine, with gaps.
  const quietMs = options.quietMs ?? 20;
  const maxHoldMs = options.maxHoldMs ?? 1000;
  const urgentMaxHoldMs = options.urgentMaxHoldMs ?? 250;
  const maxRunning = options.maxRunning ?? 32;
  const startsPerTurn = options.startsPerTurn ?? 4;
  const now = options.now ?? (() => performance.now());

  const urgentQueue: Task[] = [];
  const laterQueue: Task[] = [];
  let waitingForAck = 0;
  let lastArrival = -Infinity;
  let runningLater = 0;
  let runningAll = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const idle: (() => void)[] = [];

  const quiet = (t: number) => waitingForAck === 0 && t - lastArrival >= quietMs;
  const due = (task: Task, t: number) => quiet(t) || t - task.at >= (task.urgent ? urgentMaxHoldMs : maxHoldMs);

  /** The queue whose head may start now, if any. */
  function dueQueue(t: number): Task[] | undefined {
    if (urgentQueue[0] && due(urgentQueue[0], t)) return urgentQueue;
    if (laterQueue[0] && runningLater < maxRunning && due(laterQueue[0], t)) return laterQueue;
    return undefined;
  }

  function start(task: Task) {
    runningAll++;
    if (!task.urgent) runningLater++;
    let promise: Promise<unknown>;
    try {
      promise = task.work();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise
      .catch((error: unknown) => logger.error({ err: error, what: task.what }, 'slack follow-up failed'))
      .finally(() => {
        runningAll--;
        if (!task.urgent) runningLater--;
        poke();
      });
  }

  function pump() {
    immediate = undefined;
    const t = now();
    for (let started = 0; started < startsPerTurn; started++) {
      const queue = dueQueue(t);
      if (!queue) break;
      start(queue.shift()!);
    }
    if (dueQueue(t)) {
      // More are due: let the event loop read what arrived meanwhile, then go on.
      immediate = setImmediate(pump);
      return;
    }
    poke();
  }

  /** Arms the timer for the earliest moment a queued follow-up may start. */
  function poke() {
    if (immediate) return;
    clearTimeout(timer);
    timer = undefined;
    if (urgentQueue.length === 0 && laterQueue.length === 0) {
      if (runningAll === 0) for (const resolve of idle.splice(0)) resolve();
      return;
    }
    const t = now();
    const heads = [urgentQueue[0], runningLater < maxRunning ? laterQueue[0] : undefined].filter(
      (task): task is Task => task !== undefined,
    );
    if (heads.length === 0) return; // a running follow-up's end pokes again
    if (heads.some((task) => due(task, t))) {
      immediate = setImmediate(pump);
      return;
    }
    const holdEnds = heads.map((task) => task.at + (task.urgent ? urgentMaxHoldMs : maxHoldMs) - t);
    // While a request waits for its ack, answered() pokes; else the quiet period ends by itself.
    const quietEnds = waitingForAck === 0 ? lastArrival + quietMs - t : Infinity;
    timer = setTimeout(pump, Math.max(1, Math.ceil(Math.min(quietEnds, ...holdEnds))));
  }

  function enqueue(urgent: boolean, what: string, work: () => Promise<unknown>) {
    // The work runs in the async context of the listener that queued it, not the timer's: its
    // Web API and CRM calls stay children of the listener's span (slack-app/listener-spans.ts).
    (urgent ? urgentQueue : laterQueue).push({ what, work: AsyncResource.bind(work), at: now(), urgent });
    poke();
  }

  return {
    arrived() {
      waitingForAck++;
      lastArrival = now();
    },
    answered() {
      waitingForAck = Math.max(0, waitingForAck - 1);
      if (waitingForAck === 0) poke();
    },
    urgent: (what, work) => enqueue(true, what, work),
    later: (what, work) => enqueue(false, what, work),
    drained: () =>
      urgentQueue.length === 0 && laterQueue.length === 0 && runningAll === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idle.push(resolve)),
  };
}
