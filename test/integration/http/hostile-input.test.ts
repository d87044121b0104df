import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../../../main/steps/cleanups.js';
import { startHttp } from '../../../main/steps/http.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { fuzz, type Target } from '../../../testkit/hostile.js';
import { startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV, submit } from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/driver.js';

/**
 * The hostile-input suite: generated malformed requests (testkit/hostile.ts, seeded) at every
 * public route, over a real socket: 0 answers 5xx, the process keeps answering, and its memory
 * stays bounded. `npm run fuzz` runs the same generator at ≥ 20,000 requests against `npm start`.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 13);
const REQUESTS = Number(process.env.HOSTILE_REQUESTS ?? 5_000);
/**
 * RSS of this process (Rapport and the client sending) may grow this much over the run, after a
 * warm-up: allocator pools settling, not a leak per request (that would grow with REQUESTS).
 */
const RSS_BOUND_MB = 150;

let t: TestRapport;
let slack: SlackStandIn;
let baseUrl: string;
const cleanups = new Cleanups(() => undefined);

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [{ id: 'U0ANA', name: 'ana' }] });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ADDIN_DEV_AUTH: 'true',
    },
  });
  const { port } = await startHttp(t.rapport.app, '127.0.0.1', 0, cleanups);
  baseUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await cleanups.run();
  await t?.stop();
  await slack?.close();
});

describe('hostile input at every public route', () => {
  it(`${REQUESTS} generated requests (seed ${SEED}): no 5xx, still answering, memory bounded`, async () => {
    const alertId = await submit(t);
    const touch = await t.api('/api/touches', {
      method: 'POST',
      json: {
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: 'Hostile',
        loggedBy: 'ana@rapport.example',
      },
    });
    const touchId = ((await touch.json()) as { id: string }).id;
    const context = (await (await t.api(`/api/customers/context?email=${DEMO.maria.email}`)).json()) as {
      followUps: { id: string }[];
    };
    const dev = await fetch(`${baseUrl}/api/addin/dev-token`, { method: 'POST' });
    const addinToken = ((await dev.json()) as { token: string }).token;
    const target: Target = {
      apiToken: TEST_API_TOKEN,
      addinToken,
      slackSigningSecret: SIGNING_SECRET,
      known: { alertId, touchId, taskId: context.followUps[0]?.id, customerEmail: DEMO.maria.email },
    };

    // A warm-up (another seed) first: code compiled and pools filled are not growth.
    const warmUp = await fuzz({ baseUrl, target, seed: SEED + 1, count: 300, concurrency: 8 });
    expect(warmUp.failures).toEqual([]);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const report = await fuzz({ baseUrl, target, seed: SEED, count: REQUESTS, concurrency: 8 });
    global.gc?.();
    const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;

    console.log(
      `hostile input: ${report.total} requests, by status ${JSON.stringify(report.byStatus)}, RSS +${grownMb.toFixed(0)} MB`,
    );
    expect(report.failures, JSON.stringify(report.failures.slice(0, 5), null, 1)).toEqual([]);
    expect(report.unanswered, JSON.stringify(report.unanswered.slice(0, 5), null, 1)).toEqual([]);
    // Every route was reached.
    expect(Object.keys(report.byRoute).length).toBeGreaterThan(35);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect(grownMb).toBeLessThan(RSS_BOUND_MB);
  });
});
