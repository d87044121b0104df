/**
 * Rapport's own entry points as child processes, run with the very commands of package.json's
 * `start` (the API) and `worker` scripts: the multi-process tests and bench:scale start several of
 * each against one Temporal and one PostgreSQL, SIGKILL some, and read their CPU and memory.
 * Configured by the environment only, as an operator configures them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEND_AT_ONCE_ENV } from './send-at-once.js';
import { cpuSeconds } from './worker-child.js';

const ROOT = join(import.meta.dirname, '..');

export type RapportRole = 'api' | 'worker';

export interface RapportProcess {
  role: RapportRole;
  name: string;
  pid: number;
  /** The API's base URL (http://127.0.0.1:PORT). */
  url?: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The newest of what it wrote to stdout and stderr. */
  output(): string;
  /** CPU seconds (user + system, all threads) so far, from /proc. */
  cpuSeconds(): number;
  /** Peak (VmHWM) and current RSS, MB, from /proc. */
  memory(): { hwmMb?: number; rssMb?: number };
  /** SIGKILL, as when a machine dies; resolves once it is gone. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (SIGKILL after `graceMs`); resolves once it is gone. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * node's arguments for an npm script: `tsx x.ts` and `[NAME=value ...] node <flags> --import tsx x.ts`
 * as package.json has them, and the environment the script sets before the program (the worker's
 * MALLOC_ARENA_MAX).
 */
export function scriptCommand(script: 'start' | 'worker'): { args: string[]; env: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts[script]!.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const word = words.shift()!;
    env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  const [program, ...args] = words;
  if (program === 'tsx') return { args: ['--import', 'tsx', ...args], env };
  if (program === 'node') return { args, env };
  throw new Error(`npm run ${script} runs ${program}, not node or tsx`);
}

function procMemory(pid: number): { hwmMb?: number; rssMb?: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
    };
    return { hwmMb: field('VmHWM'), rssMb: field('VmRSS') };
  } catch {
    return {};
  }
}

/**
 * Starts `npm start` (role api; env must set PORT) or `npm run worker` and resolves once it
 * serves: the API's /readyz answers 200; the worker logged `worker running` (so its LOG_LEVEL
 * is info unless env says otherwise). Rejects with its output when it exits or stalls first.
 */
export async function startRapportProcess(options: {
  role: RapportRole;
  name?: string;
  env: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<RapportProcess> {
  const { role } = options;
  const name = options.name ?? role;
  // Only what the operator sets: nothing of the test runner's own environment leaks in.
  const command = scriptCommand(role === 'api' ? 'start' : 'worker');
  const env: Record<string, string> = {
    ...command.env,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
    ...(role === 'worker' ? { LOG_LEVEL: 'info' } : {}),
    ...SEND_AT_ONCE_ENV,
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, command.args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const url = role === 'api' ? `http://127.0.0.1:${env.PORT}` : undefined;
  const ready = async () => {
    if (role === 'worker') return output.includes('"msg":"worker running"');
    try {
      return (await fetch(`${url}/readyz`)).status === 200;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!(await ready())) {
    if (gone) throw new Error(`${name} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  const stop = async (graceMs = 30_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return {
    role,
    name,
    pid,
    url,
    exited,
    output: () => output,
    cpuSeconds: () => cpuSeconds(pid),
    memory: () => procMemory(pid),
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
    stop,
  };
}
