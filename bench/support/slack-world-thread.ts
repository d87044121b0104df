import { parentPort, workerData } from 'node:worker_threads';
import { startHubSpotSandbox } from '../../sandbox/hubspot/index.js';
import { startSlackStandIn } from '../../sandbox/slack/index.js';
import type { Prepared } from './slack-client.js';
import { FOLLOW_UP, pickerSearches, slackTraffic, type Kind } from './slack-traffic.js';
import { HUBSPOT_TOKEN, type WorldErrors, type WorldOptions, type WorldRequest } from './slack-world.js';
import { BOT_TOKEN, USERS } from './slack-workspace.js';

/** The world thread started by slack-world.ts: answers its requests over the message port. */

const FOLLOW_UP_WAIT_MS = 20_000;

const options = workerData as WorldOptions;
const port = parentPort!;
const sandbox = await startHubSpotSandbox({
  port: 0,
  seed: true,
  accessToken: HUBSPOT_TOKEN,
  rateLimit: { perTenSeconds: options.budget },
});
const slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: USERS, latencyMs: options.apiLatencyMs });
let traffic: ReturnType<typeof slackTraffic> | undefined;

/** Waits for the work each kind does after ack(); what went wrong, and how many never came. */
async function settle(kinds: Kind[], count: number, calls0: number, responses0: number): Promise<WorldErrors> {
  const want = new Map<string, number>();
  let responses = 0;
  for (const kind of kinds) {
    const f = FOLLOW_UP[kind];
    if (f.method) want.set(f.method, (want.get(f.method) ?? 0) + count);
    if (f.responseUrl) responses += count;
  }
  const missing = () => {
    let m = Math.max(0, responses - (slack.responses.length - responses0));
    for (const [method, n] of want)
      m += Math.max(0, n - slack.calls.slice(calls0).filter((c) => c.method === method).length);
    return m;
  };
  const until = Date.now() + FOLLOW_UP_WAIT_MS;
  while (missing() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const failed = slack.calls.slice(calls0).filter((c) => c.response.ok !== true);
  const webApiByError: Record<string, number> = {};
  for (const c of failed) {
    const key = `${c.method}:${String(c.response.error)}`;
    webApiByError[key] = (webApiByError[key] ?? 0) + 1;
  }
  return {
    webApi: failed.length,
    webApiByError,
    responseUrl: slack.responses.slice(responses0).filter((r) => r.status !== 200).length,
    missing: missing(),
  };
}

port.on('message', async ({ id, request }: { id: number; request: WorldRequest }) => {
  const reply = (result: unknown) => port.postMessage({ id, result });
  switch (request.type) {
    case 'init': {
      const searches = pickerSearches(request.book);
      traffic = slackTraffic(slack, request.book, searches);
      return reply(searches);
    }
    case 'prepare': {
      const calls0 = slack.calls.length;
      const responses0 = slack.responses.length;
      const prepared = new Map<Kind, Prepared[]>();
      for (const kind of request.kinds) prepared.set(kind, await traffic!.prepare(kind, request.count));
      // All kinds in one burst, interleaved as Slack would deliver them.
      const order = Array.from({ length: request.count }, (_, i) =>
        request.kinds.map((k) => [k, prepared.get(k)![i]!] as const),
      ).flat();
      return reply({ order, calls0, responses0 });
    }
    case 'settle':
      return reply(await settle(request.kinds, request.count, request.calls0, request.responses0));
    case 'authTests':
      return reply(slack.callsTo('auth.test').length);
    case 'close':
      await slack.close();
      await sandbox.close();
      return reply(true);
  }
});
port.postMessage({ ready: { hubspotUrl: sandbox.url, slackApiUrl: slack.apiUrl } });
