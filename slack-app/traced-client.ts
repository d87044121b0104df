import type { webApi } from '@slack/bolt';
import type { Tracing } from '../lib/tracing.js';

type MakeRequest = (url: string, body: Record<string, unknown>, headers?: Record<string, string>) => Promise<unknown>;

/** `chat.postMessage` from `https://slack.com/api/chat.postMessage`; never the query or a token. */
export const slackMethodOf = (url: string) => /\/api\/([\w.]+)(?:\?|$)/.exec(url)?.[1] ?? 'request';

/**
 * A client span around each Web API request of this client (`slack.chat.postMessage`, ...), the
 * child of what is active: the alert messages, approver DMs and Home refreshes the bot client
 * sends outside any request. Every method of WebClient goes through its one makeRequest, so one
 * wrapper covers them all (retries are inside it: one span per call, its time includes them).
 * Off (NO_TRACING), the client is left as it is.
 */
export function traceSlackClient(client: webApi.WebClient, tracing: Tracing): webApi.WebClient {
  if (!tracing.on) return client;
  const target = client as unknown as { makeRequest: MakeRequest };
  const makeRequest = target.makeRequest.bind(client);
  target.makeRequest = (url, body, headers) => {
    const method = slackMethodOf(url);
    return tracing.span(`slack.${method}`, { 'peer.service': 'slack', 'rapport.slack.method': method }, () =>
      makeRequest(url, body, headers),
    );
  };
  return client;
}
