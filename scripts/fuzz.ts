/**
 * npm run fuzz: hostile requests (testkit/hostile.ts) at every public route of a started Rapport,
 * counted per status and per route; exits 1 on any 5xx (each listed with its seed and index, so
 * `hostileRequest(seed, index)` reproduces it) or when Rapport stops answering.
 *
 *   npm run fuzz                       starts `npm start` (its own Temporal, sandbox CRM, mail catcher,
 *                                      Slack stand-in, PGlite in a temporary DATA_DIR) and attacks it
 *   npm run fuzz -- --requests 50000 --seed 7 --concurrency 16
 *   npm run fuzz -- --url http://127.0.0.1:3000 --token <API token> [--slack-secret <secret>]
 *                                      attacks a Rapport you started (its memory is then not read)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSlackStandIn } from '../sandbox/slack/index.js';
import { fuzz, type Target } from '../testkit/hostile.js';
import { startRapportProcess, type RapportProcess } from '../testkit/rapport-process.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    concurrency: { type: 'string', default: '8' },
    url: { type: 'string' },
    token: { type: 'string' },
    'slack-secret': { type: 'string' },
  },
});
const count = Number(values.requests);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const TOKEN = 'fuzz-api-token-0123456789abcdef';
const SLACK_SECRET = 'fuzz-slack-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-fuzz-0000-rapport';

async function main(): Promise<number> {
  let rapport: RapportProcess | undefined;
  let stopSlack: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  let baseUrl = values.url?.replace(/\/+$/, '');
  let target: Target;
  try {
    if (baseUrl) {
      if (!values.token) throw new Error('--url needs --token (an API token of that Rapport)');
      target = {
        apiToken: values.token,
        ...(values['slack-secret'] ? { slackSigningSecret: values['slack-secret'] } : {}),
      };
    } else {
      const slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [{ id: 'U0ANA', name: 'ana' }] });
      stopSlack = () => slack.close();
      dataDir = mkdtempSync(join(tmpdir(), 'rapport-fuzz-'));
      const port = await freePort();
      console.log(`starting npm start on port ${port} (DATA_DIR ${dataDir}) ...`);
      rapport = await startRapportProcess({
        role: 'api',
        name: 'rapport',
        env: {
          PORT: String(port),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'error',
          API_TOKENS: TOKEN,
          RAPPORT_SECRET: 'fuzz-secret-0123456789abcdefghijklmnopqrstuv',
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SLACK_SECRET,
          SLACK_API_URL: slack.apiUrl,
          ADDIN_DEV_AUTH: 'true',
          APPROVER_GROUPS: 'alerts=approver@bank.example,analyst@bank.example',
          LINK_RATE_LIMIT_PER_MINUTE: '0',
          WEBHOOK_RATE_LIMIT_PER_MINUTE: '0',
          SLACK_RATE_LIMIT_PER_MINUTE: '0',
        },
      });
      baseUrl = rapport.url!;
      target = { apiToken: TOKEN, slackSigningSecret: SLACK_SECRET };
    }
    const dev = await fetch(`${baseUrl}/api/addin/dev-token`, { method: 'POST' }).catch(() => undefined);
    if (dev?.ok) target.addinToken = ((await dev.json()) as { token: string }).token;

    const rssBefore = rapport?.memory().rssMb;
    const started = Date.now();
    console.log(`fuzzing ${baseUrl}: ${count} requests, seed ${seed}, ${concurrency} at a time`);
    const report = await fuzz({
      baseUrl,
      target,
      seed,
      count,
      concurrency,
      onProgress: (done) => {
        if (done % 5000 === 0) console.log(`  ${done} ...`);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const alive = (await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.status === 200;
    const memory = rapport?.memory();

    console.log(`\n${report.total} requests in ${seconds.toFixed(0)} s (seed ${seed})`);
    console.log('by status:', JSON.stringify(report.byStatus));
    console.log('by route:');
    for (const [route, statuses] of Object.entries(report.byRoute).sort(([a], [b]) => a.localeCompare(b)))
      console.log(`  ${route.padEnd(48)} ${JSON.stringify(statuses)}`);
    if (memory?.rssMb !== undefined)
      console.log(`Rapport RSS: ${rssBefore} MB before, ${memory.rssMb} MB after (peak ${memory.hwmMb} MB)`);
    console.log(`still answering /healthz: ${alive ? 'yes' : 'NO'}`);
    console.log(`no answer at all (normal-sized bodies): ${report.unanswered.length}`);
    for (const f of report.unanswered.slice(0, 20)) console.log(`  #${f.index} ${f.route} ${f.path} (${f.how})`);
    console.log(`5xx: ${report.failures.length}`);
    for (const f of report.failures.slice(0, 50))
      console.log(`  ${f.status} #${f.index} ${f.route} ${f.path} (${f.how})`);
    if (rapport && report.failures.length) console.log(`\nRapport's last output:\n${rapport.output().slice(-5000)}`);
    return report.failures.length === 0 && alive ? 0 : 1;
  } finally {
    await rapport?.stop();
    await stopSlack?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
