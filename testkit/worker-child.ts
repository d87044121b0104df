/**
 * Starts ./worker-process.ts (a Rapport worker) as a child process and hands back a handle to
 * watch, stop or SIGKILL it. Shared by the broadcast benches (the worker's memory alone) and the
 * chaos tests (a worker that dies mid-dispatch).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SEND_AT_ONCE_ENV } from './send-at-once.js';
import type { MemoryBreakdown } from './memory-breakdown.js';
import type { WorkerProcessConfig } from './worker-process.js';

/** The child's entry as TypeScript source; compileEntry() (bench/support) turns it into JavaScript. */
export const WORKER_PROCESS_ENTRY = new URL('./worker-process.ts', import.meta.url).pathname;

export interface WorkerProcessOptions {
  config: WorkerProcessConfig;
  /** The child's environment (loadEnv reads it) on top of this process's own. */
  env: Record<string, string>;
  /** A compiled entry (.mjs); unset: WORKER_PROCESS_ENTRY run through tsx. */
  entry?: string;
  /** More node arguments for the child. */
  nodeArgs?: string[];
  /** Give up waiting for {ready} after this long (default 120 s; bundling workflows takes a while). */
  readyTimeoutMs?: number;
}

export interface WorkerProcess {
  pid: number;
  /** RSS once the worker polled (after bundling the workflows), MB. */
  readyRssMb?: number;
  /** Where the memory went once the worker polled. */
  readyMemory?: MemoryBreakdown;
  /**
   * The worker's own breakdown now, and at its highest RSS since the start or the last reset
   * (reset: true starts a new peak after answering).
   */
  memoryBreakdown(reset?: boolean): Promise<{ now: MemoryBreakdown; peak: MemoryBreakdown }>;
  /** Resolves with the exit code, or the signal that ended the process. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** CPU seconds (user + system) the worker process used so far. */
  cpuSeconds(): number;
  /** Peak RSS (VmHWM) and current RSS from /proc, in MB; undefined where /proc is missing. */
  memory(): { hwmMb?: number; rssMb?: number };
  /** SIGKILL: no shutdown, no goodbye, as when a machine dies. Resolves once the process is gone. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (SIGKILL after 30 s), then the worker's own process.resourceUsage().maxRSS, in MB. */
  stop(): Promise<{ maxRssMb?: number; peak?: MemoryBreakdown }>;
  /**
   * SIGTERM only, as an orchestrator stops a worker: resolves when the process is gone, with how
   * it ended and how long the drain took.
   */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

function procStatus(pid: number): { hwmMb?: number; rssMb?: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? mb(Number(m[1])) : undefined;
    };
    return { hwmMb: field('VmHWM'), rssMb: field('VmRSS') };
  } catch {
    return {};
  }
}

/** utime + stime of a process from /proc (Linux), in seconds; NaN elsewhere. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Forks the worker and resolves once it polls its task queue; rejects if it dies or stalls first. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child: ChildProcess = fork(options.entry ?? WORKER_PROCESS_ENTRY, [], {
    execArgv: [...(options.entry ? [] : ['--import', 'tsx']), ...(options.nodeArgs ?? [])],
    env: {
      ...process.env,
      ...SEND_AT_ONCE_ENV,
      ...options.env,
      RAPPORT_WORKER_PROCESS: JSON.stringify(options.config),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Record<string, unknown>[] = [];
  child.on('message', (m) => messages.push(m as Record<string, unknown>));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Whatever happens to the test, the child must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (!messages.some((m) => m.ready)) {
    const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);
    if (gone) throw new Error('the worker process exited before it was ready');
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the worker process was not ready in time');
    }
  }
  const ready = messages.find((m) => m.ready) as { rssKb?: number; memory?: MemoryBreakdown };
  const pid = child.pid!;
  return {
    pid,
    readyRssMb: ready.rssKb ? mb(ready.rssKb) : undefined,
    readyMemory: ready.memory,
    memoryBreakdown: (reset = false) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: { memory?: { now: MemoryBreakdown; peak: MemoryBreakdown } }) => {
          if (!m.memory) return;
          child.off('message', onMessage);
          resolve(m.memory);
        };
        child.on('message', onMessage);
        child.send({ memory: true, reset }, (error) => {
          if (!error) return;
          child.off('message', onMessage);
          reject(error);
        });
      }),
    exited,
    cpuSeconds: () => cpuSeconds(pid),
    memory: () => procStatus(pid),
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
    terminate: async () => {
      const started = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      return { code, signal, ms: Date.now() - started };
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timeout);
      const stopped = messages.find((m) => m.stopped) as { maxRssKb?: number; peak?: MemoryBreakdown } | undefined;
      return { maxRssMb: stopped?.maxRssKb ? mb(stopped.maxRssKb) : undefined, peak: stopped?.peak };
    },
  };
}
