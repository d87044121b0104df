/**
 * Starts ./crm-load.ts (a process logging notes through the shared HubSpot budget) as a child
 * process and hands back what it reported once it is done.
 */
import { fork } from 'node:child_process';
import type { RateBudgetStats } from '../crm/rate-budget.js';
import type { CrmLoadConfig } from './crm-load.js';

const ENTRY = new URL('./crm-load.ts', import.meta.url).pathname;

export interface CrmLoadResult {
  notes: number;
  failures: string[];
  /** The process's own budget counters (requests sent, 429s received). */
  stats: RateBudgetStats;
}

export interface CrmLoadProcess {
  pid: number;
  /** Resolves when the process has opened its database and starts calling. */
  ready: Promise<void>;
  /** Resolves with its report once it is done; rejects if it dies first. */
  done: Promise<CrmLoadResult>;
}

export function startCrmLoad(config: CrmLoadConfig, env: Record<string, string>): CrmLoadProcess {
  const child = fork(ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, RAPPORT_CRM_LOAD: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Whatever happens to the test, the child must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<CrmLoadResult>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; done?: boolean } & Partial<CrmLoadResult>) => {
      if (m.ready) markReady();
      if (m.done) resolve({ notes: m.notes!, failures: m.failures!, stats: m.stats! });
    });
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      reject(new Error(`the CRM load process exited (${code ?? signal}) before reporting`));
    });
  });
  return { pid: child.pid!, ready, done };
}
