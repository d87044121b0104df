import type { Prepared } from './slack-client.js';
import type { Book, Kind } from './slack-traffic.js';
import { rpc, typeScriptWorker } from './threads.js';

/**
 * The world around Rapport in the Slack bench: the Slack Web API stand-in and the HubSpot
 * sandbox, on a thread of their own (slack-world-thread.ts) so their work is not on Rapport's
 * event loop. It also prepares the requests Slack sends and checks what they caused after ack().
 */

export const HUBSPOT_TOKEN = 'bench';

export interface WorldOptions {
  /** The sandbox's HubSpot budget: requests per 10 s. */
  budget: number;
  /** Delay before every Web API answer. */
  apiLatencyMs: number;
}

/** What the world thread saw go wrong after a round (Rapport's logged errors are counted on main). */
export interface WorldErrors {
  webApi: number;
  webApiByError: Record<string, number>;
  responseUrl: number;
  missing: number;
}

/** Where the stand-in's records stood before a round, to check only that round's calls. */
export interface RoundMark {
  calls0: number;
  responses0: number;
}

export type WorldRequest =
  | { type: 'init'; book: Book }
  | { type: 'prepare'; kinds: Kind[]; count: number }
  | ({ type: 'settle'; kinds: Kind[]; count: number } & RoundMark)
  | { type: 'authTests' }
  | { type: 'close' };

export interface WorldReady {
  hubspotUrl: string;
  slackApiUrl: string;
}

export function startSlackWorld(options: WorldOptions) {
  const thread = typeScriptWorker(new URL('./slack-world-thread.ts', import.meta.url), options);
  const ready = new Promise<WorldReady>((resolve, reject) => {
    thread.on('message', (m: { ready?: WorldReady }) => m.ready && resolve(m.ready));
    thread.once('error', reject);
  });
  const ask = rpc(thread);
  return {
    /** The sandbox's and the stand-in's addresses, once both listen. */
    ready,
    /** Hands over the book of business; answers the picker searches the traffic will use. */
    init: (book: Book) => ask<string[]>({ type: 'init', book } satisfies WorldRequest),
    /** `count` requests of each kind, interleaved as Slack would deliver them, and the round's mark. */
    prepare: (kinds: Kind[], count: number) =>
      ask<{ order: (readonly [Kind, Prepared])[] } & RoundMark>({
        type: 'prepare',
        kinds,
        count,
      } satisfies WorldRequest),
    /** Waits for the work each kind does after ack(); what went wrong, and how many never came. */
    settle: (kinds: Kind[], count: number, mark: RoundMark) =>
      ask<WorldErrors>({ type: 'settle', kinds, count, ...mark } satisfies WorldRequest),
    /** How many auth.test calls the stand-in has answered so far. */
    authTests: () => ask<number>({ type: 'authTests' } satisfies WorldRequest),
    async close() {
      await ask({ type: 'close' } satisfies WorldRequest);
      await thread.terminate();
    },
  };
}
