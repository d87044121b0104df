import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { createSlackApp } from './app.js';
import { createSlackFaults, type SlackFault } from './faults.js';
import { createSlackState, type SlackStandInUser, type SlackStateOptions } from './state.js';

export interface SlackStandInOptions extends SlackStateOptions {
  port?: number;
  host?: string;
  /** When set, calls must carry `Authorization: Bearer <botToken>` (else not_authed / invalid_auth). */
  botToken?: string;
  /** Delay before every Web API answer, as Slack's own takes tens of milliseconds (default 0). */
  latencyMs?: number;
}

export async function startSlackStandIn(options: SlackStandInOptions = {}) {
  const state = createSlackState(options);
  const faults = createSlackFaults();
  const app = createSlackApp({ state, faults, botToken: options.botToken, latencyMs: options.latencyMs });
  const { calls, responses } = state;

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? '127.0.0.1' }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    /** Give this to the Web API client (SLACK_API_URL / slackApiUrl). */
    apiUrl: `${url}/api/`,
    calls,
    responses,
    /** A fresh trigger_id, valid for triggerTtlMs, exchangeable once (as Slack issues with each interaction). */
    trigger(): string {
      return state.issueTrigger();
    },
    /** A fresh response_url, as Slack puts in commands and interactions. */
    responseUrl(): string {
      const id = randomBytes(8).toString('hex');
      state.responseUrls.add(id);
      return `${url}/response/${id}`;
    },
    addUser(user: SlackStandInUser) {
      state.users.set(user.id, user);
    },
    view(id: string) {
      return state.views.get(id);
    },
    homeOf(userId: string) {
      return state.views.get(`home:${userId}`)?.view;
    },
    callsTo(method: string) {
      return calls.filter((c) => c.method === method);
    },
    /** Answer the next matching calls with a 429 (Retry-After) or a 5xx; see faults.ts. */
    fail(fault: SlackFault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      faults.clear();
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

export type SlackStandIn = Awaited<ReturnType<typeof startSlackStandIn>>;
