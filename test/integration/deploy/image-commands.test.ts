import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import {
  compose,
  dockerfile,
  dockerignorePatterns,
  envPairs,
  isDockerignored,
  ROOT,
  words,
  type ComposeFile,
  type DockerStage,
} from '../../../testkit/deploy-artifacts.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { startSmtpCatcher } from '../../../sandbox/smtp/index.js';
import { freePort } from '../../../workflows/temporal/free-port.js';

/**
 * No container daemon here, so this runs what the image runs, as the image would: a fresh clone of
 * the committed HEAD, cut down to the build context by .dockerignore; each Dockerfile stage in its own
 * directory, its COPY and RUN instructions replayed in order; then the runtime stage's CMD (the API)
 * and compose's worker and HubSpot sandbox commands, against PostgreSQL, the run's Temporal server and
 * an SMTP catcher. One difference, said plainly: `npm ci` links this checkout's node_modules instead
 * of installing (slow, and offline here), so a production dependency missing from package.json is
 * caught by test/unit/deploy/artifacts.test.ts, not here.
 */

const API_TOKEN = 'image-test-token-0123456789abcdef';
const SANDBOX_TOKEN = 'sandbox-local-token';

let work: string;
let context: string;
let runtimeApp: string;
let database: ScratchPostgres;
let databaseUrl: string;
let schema: string;
let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
let runtime: DockerStage;
let stack: ComposeFile;
const children: Started[] = [];
const steps: string[] = [];

interface Started {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A command as the container runs it: cwd = WORKDIR, the image's ENV, then the service's. */
function start(name: string, command: string[], cwd: string, env: Record<string, string>): Started {
  const [file, ...args] = command;
  const child = spawn(file === 'node' ? process.execPath : file!, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = { name, child, output: () => output, exited };
  children.push(started);
  return started;
}

function run(command: string, cwd: string) {
  const started = Date.now();
  const result = spawnSync('sh', ['-c', command], {
    cwd,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${command} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  steps.push(`${command} (${Math.round((Date.now() - started) / 1000)} s)`);
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  logs: Started[],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    const dead = logs.find((s) => s.child.exitCode !== null);
    if (dead || Date.now() > deadline)
      throw new Error(
        `${what}: ${dead ? `${dead.name} exited ${dead.child.exitCode}` : `not within ${timeoutMs} ms`}\n` +
          logs.map((s) => `--- ${s.name}\n${s.output().slice(-4000)}`).join('\n'),
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A stage's container filesystem: container path /app → <stage dir>/app. */
const inStage = (root: string, path: string) => join(root, path);

/**
 * Replays one stage. Only what these stages use is understood; anything else fails the test, so a
 * new instruction is taught here rather than skipped.
 */
function buildStage(s: DockerStage, roots: Map<string, string>): { root: string; workdir: string } {
  const root = join(work, 'stages', s.name);
  mkdirSync(root, { recursive: true });
  roots.set(s.name, root);
  let workdir = '/';
  for (const instruction of s.instructions) {
    const at = `Dockerfile line ${instruction.line}`;
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, instruction.words[0]!);
        mkdirSync(inStage(root, workdir), { recursive: true });
        break;
      case 'COPY': {
        const from = instruction.flags.from;
        const sourceRoot = from ? roots.get(from) : context;
        if (!sourceRoot) throw new Error(`${at}: no stage ${from}`);
        const dest = posix.resolve(workdir, instruction.words.at(-1)!);
        const sources = instruction.words.slice(0, -1);
        for (const src of sources) {
          const target =
            dest.endsWith('/') || sources.length > 1
              ? join(inStage(root, dest), posix.basename(src))
              : inStage(root, dest);
          const origin = from ? inStage(sourceRoot, src) : join(sourceRoot, src);
          if (!existsSync(origin)) throw new Error(`${at}: COPY ${src}: not there`);
          cpSync(origin, src === '.' ? inStage(root, dest) : target, { recursive: true });
        }
        break;
      }
      case 'RUN':
        for (const part of instruction.text.split('&&').map((p) => p.trim())) {
          const cwd = inStage(root, workdir);
          if (/^npm ci\b/.test(part)) {
            // Instead of installing: this checkout's packages (see the note at the top).
            if (!existsSync(join(cwd, 'node_modules')))
              symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(cwd, 'node_modules'));
            steps.push(`${part} (node_modules linked)`);
          } else if (/^npm run [\w:-]+$/.test(part)) run(part, cwd);
          else if (/^npm cache clean\b/.test(part) || /^(mkdir|chown) .* \/data$/.test(part))
            steps.push(`${part} (container housekeeping, skipped)`);
          else throw new Error(`${at}: this test does not know how to replay \`${part}\``);
        }
        break;
      case 'ENV':
      case 'USER':
      case 'EXPOSE':
      case 'CMD':
        break;
      default:
        throw new Error(`${at}: this test does not know ${instruction.keyword}`);
    }
  }
  return { root, workdir };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rapport-image-'));
  // The committed HEAD, cloned as a build server would.
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  context = join(work, 'context');
  run(`git clone --quiet --no-checkout ${JSON.stringify(ROOT)} ${JSON.stringify(context)}`, work);
  run(`git -c advice.detachedHead=false checkout --quiet ${head}`, context);
  // The build context: what .dockerignore leaves of the clone. From here on every artifact is read from the clone.
  const patterns = dockerignorePatterns(context);
  const { stages } = dockerfile(context);
  stack = compose(context);
  const tracked = spawnSync('git', ['ls-files'], { cwd: context, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const file of tracked) if (isDockerignored(file, patterns)) rmSync(join(context, file), { force: true });
  rmSync(join(context, '.git'), { recursive: true, force: true });

  const roots = new Map<string, string>();
  let last = { root: '', workdir: '' };
  for (const s of stages) last = buildStage(s, roots);
  runtimeApp = inStage(last.root, last.workdir);
  runtime = stages.at(-1)!;

  database = await scratchPostgres();
  schema = `image_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(database.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  databaseUrl = url.toString();
  smtp = await startSmtpCatcher();
}, 300_000);

afterAll(async () => {
  for (const s of children) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await Promise.all(children.map((s) => s.exited));
  await smtp?.close();
  if (database) {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    await database.stop();
  }
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`image commands replayed:\n  ${steps.join('\n  ')}`);
});

describe('the image, run from a fresh clone with its own commands', () => {
  it('the API starts ready, serves the add-in, and a worker logs a touch to the CRM', async () => {
    const imageEnv = Object.assign(
      {},
      ...runtime.instructions.filter((i) => i.keyword === 'ENV').map(envPairs),
    ) as Record<string, string>;
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1)!.words;
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);

    // The HubSpot sandbox, as compose runs it (on loopback, a free port).
    const sandboxPort = await freePort();
    const sandbox = start('hubspot-sandbox', words(stack.services['hubspot-sandbox']!.command), runtimeApp, {
      ...imageEnv,
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_TOKEN,
      DATA_DIR: join(dataDir, 'sandbox'),
    });
    await until(
      'the sandbox listens',
      async () => (sandbox.output().includes('HubSpot sandbox on') ? true : undefined),
      30_000,
      [sandbox],
    );

    // What the API and the workers share (compose's x-rapport-env), pointed at this machine's services.
    const port = await freePort();
    const shared = {
      ...imageEnv,
      // The container's world, moved onto this machine: loopback, free ports, a scratch data directory.
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: join(dataDir, 'rapport'),
      LOG_LEVEL: 'info',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      API_TOKENS: API_TOKEN,
      RAPPORT_SECRET: 'image-test-secret-0123456789abcdefghijklmnop',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `image-${Date.now().toString(36)}`,
      HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN,
      HUBSPOT_BASE_PATH: `http://127.0.0.1:${sandboxPort}`,
      SMTP_URL: smtp.smtpUrl,
      // The embedded SMS stand-in the API starts while SMS is unconfigured: any free port.
      SMS_SANDBOX_PORT: String(await freePort()),
    };
    const base = `http://127.0.0.1:${port}`;
    const api = start('api', cmd, runtimeApp, {
      ...shared,
      WORKER_IN_PROCESS: stack.services.api!.environment!.WORKER_IN_PROCESS as string,
    });
    const ready = await until(
      'GET /readyz answers 200',
      async () => {
        const res = await fetch(`${base}/readyz`);
        return res.status === 200 ? ((await res.json()) as { checks: Record<string, { ok: boolean }> }) : undefined;
      },
      90_000,
      [api, sandbox],
    );
    expect(Object.keys(ready.checks)).toEqual(expect.arrayContaining(['store', 'temporal']));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // The runtime stage copied the built add-in next to dist/.
    const pane = await fetch(`${base}/addin/taskpane.js`);
    expect(pane.status).toBe(200);
    expect(await pane.text()).toContain('Rapport task pane');

    // A worker, as compose and the Kubernetes worker Deployment run it, picks up a touch the API accepted.
    const worker = start('worker', words(stack.services.worker!.command), runtimeApp, shared);
    const accepted = await fetch(`${base}/api/touches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        contact: { email: DEMO.joe.email },
        channel: 'call',
        summary: 'Image smoke test: renewal call',
        loggedBy: 'ana@rapport.example',
      }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const synced = await until(
      'the worker logs the touch',
      async () => {
        const res = await fetch(`${base}/api/touches/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
        const body = (await res.json()) as { status: string };
        return body.status === 'synced' ? body : undefined;
      },
      90_000,
      [api, worker, sandbox],
    );
    expect(synced.status).toBe('synced');
    // The image's worker runs the workflow bundle `npm run build` wrote, not one made at start.
    expect(worker.output()).toContain('"workflows":"prebuilt bundle"');

    // SIGTERM, as `docker stop` and the kubelet send it: both stop cleanly.
    for (const s of [worker, api, sandbox]) s.child.kill('SIGTERM');
    const codes = await Promise.all([worker, api, sandbox].map((s) => s.exited));
    expect(codes, [worker, api].map((s) => `--- ${s.name}\n${s.output().slice(-2000)}`).join('\n')).toEqual([0, 0, 0]);
  }, 240_000);
});
