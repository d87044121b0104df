import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** v1.6+ carry a replace directive that `go install` refuses; v1.5.1 is the last installable tag. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install';

export interface LocatedCli {
  path: string;
  source: CliSource;
}

/** Outside the checkout so fresh clones and CI runs on one machine share the build. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'rapport');
}

export const cachedCliPath = (env: NodeJS.ProcessEnv = process.env) => join(cacheDir(env), 'bin', 'temporal');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The first three places, which cost nothing to look in. */
export function findInstalledCli(env: NodeJS.ProcessEnv = process.env, explicit?: string): LocatedCli | undefined {
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath(env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

/** Builds the CLI from Go modules into the cache. Takes minutes the first time. */
export async function goInstallCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): Promise<LocatedCli> {
  const bin = join(cacheDir(env), 'bin');
  mkdirSync(bin, { recursive: true });
  log(`building the Temporal CLI with go install ${TEMPORAL_CLI_MODULE} into ${bin} (first time takes minutes)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], {
      env: {
        ...env,
        GOBIN: bin,
        GOFLAGS: '',
        // The checksum database may be unreachable where only the module proxy is.
        GONOSUMDB: [env.GONOSUMDB, 'github.com/temporalio/cli'].filter(Boolean).join(','),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`cannot run go (${error.message})`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go install failed (exit ${code}):\n${tail}`)),
    );
  });
  const path = join(bin, 'temporal');
  if (!isExecutable(path)) throw new Error(`go install finished but ${path} is missing`);
  return { path, source: 'go install' };
}

export const INSTALL_HELP = `No Temporal CLI found. Any one of these fixes it:
  - install it: https://docs.temporal.io/cli#install (then it is found on PATH), or
  - build it:   GOBIN=${join(cacheDir(), 'bin')} go install ${TEMPORAL_CLI_MODULE}  (needs Go 1.25+), or
  - point TEMPORAL_CLI_PATH at a temporal binary, or
  - set TEMPORAL_ADDRESS to a running Temporal server or Temporal Cloud.`;
