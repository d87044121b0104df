import { spawn, type ChildProcess } from 'node:child_process';
import { ALERT_SEARCH_ATTRIBUTES } from '../search-attributes.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INSTALL_HELP, cacheDir, findInstalledCli, goInstallCli, type LocatedCli } from './cli-locator.js';
import { freePort, isPortOpen } from './free-port.js';

export interface DevServerOptions {
  /** Directory for the SQLite state; unset -> in memory (tests). */
  dataDir?: string;
  port?: number;
  uiPort?: number;
  ui?: boolean;
  namespace?: string;
  cliPath?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  /** How the CLI was found: TEMPORAL_CLI_PATH, PATH, cache, sdk download or go install. */
  source: string;
  /** The server's process id (benches read its CPU time); unset for the SDK's download. */
  pid?: number;
  /** Kills the server process (the restart chaos test uses this). */
  kill(signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** Flags every Rapport dev server gets; update-with-start needs the multi-operation switch. */
const DEV_FLAGS = ['--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true', '--log-level', 'warn'];

/**
 * Starts `temporal server start-dev` as a child process. The CLI is looked for in this order:
 * TEMPORAL_CLI_PATH, PATH, the project cache, the SDK's own download, and finally a go install
 * into the cache.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const installed = findInstalledCli(process.env, options.cliPath);
  if (installed) return spawnDevServer(installed, options);

  try {
    return await sdkDownloadedServer(options);
  } catch (error) {
    log(`the Temporal SDK could not download the dev server (${(error as Error).message.split('\n')[0]})`);
  }
  let built: LocatedCli;
  try {
    built = await goInstallCli(process.env, log);
  } catch (error) {
    throw new Error(
      `${INSTALL_HELP}\n(go install said: ${(error as Error).message.split('\n').slice(0, 3).join(' ')})`,
      { cause: error },
    );
  }
  return spawnDevServer(built, options);
}

async function spawnDevServer(cli: LocatedCli, options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
  if (await isPortOpen(port)) {
    throw new Error(
      `port ${port} is taken; is another Temporal running? Set TEMPORAL_ADDRESS to use it, or TEMPORAL_DEV_PORT`,
    );
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    ...DEV_FLAGS,
    // Rapport's search attributes (workflows/search-attributes.ts), so the UI can filter alerts.
    ...ALERT_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.cliType}`]),
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--db-filename', resolve(options.dataDir, 'temporal.sqlite'));
  }
  let uiUrl: string | undefined;
  if (options.ui === false) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }

  const child = spawn(cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `127.0.0.1:${port}`;
  await waitUntilListening(child, port, () => output);
  return {
    address,
    uiUrl,
    namespace,
    source: cli.source,
    pid: child.pid,
    kill: (signal = 'SIGKILL') => child.kill(signal),
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitUntilListening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with ${child.exitCode}:\n${output()}`);
    }
    if (await isPortOpen(port)) return;
    await delay(100);
  }
  child.kill('SIGKILL');
  throw new Error(`temporal server start-dev did not listen on ${port} within 60 s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timeout = delay(10_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Users with internet get the server the SDK downloads (cached under our cache dir). */
async function sdkDownloadedServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const ui = options.ui !== false;
  const uiPort = ui ? (options.uiPort ?? (await freePort())) : undefined;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download', downloadDir: join(cacheDir(), 'sdk-download') },
      namespace: options.namespace ?? 'default',
      ip: '127.0.0.1',
      port,
      ui,
      uiPort,
      dbFilename: options.dataDir ? resolve(options.dataDir, 'temporal.sqlite') : undefined,
      extraArgs: DEV_FLAGS,
    },
  });
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    namespace: options.namespace ?? 'default',
    source: 'sdk download',
    kill: () => void env.teardown(),
    stop: () => env.teardown(),
  };
}
