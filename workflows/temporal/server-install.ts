/**
 * The Temporal server itself (not the CLI's dev server), built from Go modules into the cache
 * like the CLI (cli-locator.ts): the `server` binary, `temporal-sql-tool` (creates and migrates
 * Temporal's schemas), and the files of the module they need at run time (the PostgreSQL schema
 * steps and the stock development config), copied beside them so that a cleaned Go module cache
 * or a machine without Go still runs the cluster.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cli-locator.js';

/** v1.31 and later need a newer Go than these machines have; the compose stack pins the same release. */
export const TEMPORAL_SERVER_VERSION = 'v1.30.4';
const MODULE = 'go.temporal.io/server';
const PACKAGES = ['cmd/server', 'cmd/tools/sql'];

export interface ServerInstall {
  dir: string;
  /** `server --config-file ... start` */
  server: string;
  /** `temporal-sql-tool --plugin postgres12 ...` */
  sqlTool: string;
  /** schema/postgresql/v12 of the module: {temporal,visibility}/versioned */
  schemaDir: string;
  /** config/development-postgres12.yaml of the module, the base of the cluster's config */
  stockConfig: string;
  /** config/dynamicconfig/development-sql.yaml of the module */
  stockDynamicConfig: string;
}

/** ${XDG_CACHE_HOME:-~/.cache}/rapport/temporal-server/<version> */
export function serverInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function layout(dir: string): ServerInstall {
  return {
    dir,
    server: join(dir, 'bin', 'server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
    stockConfig: join(dir, 'config', 'development-postgres12.yaml'),
    stockDynamicConfig: join(dir, 'config', 'dynamicconfig', 'development-sql.yaml'),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The cached install when it is complete (both binaries and the module's files); free to call. */
export function findServerInstall(env: NodeJS.ProcessEnv = process.env): ServerInstall | undefined {
  const found = layout(serverInstallDir(env));
  const complete =
    isExecutable(found.server) &&
    isExecutable(found.sqlTool) &&
    existsSync(join(found.schemaDir, 'temporal', 'versioned')) &&
    existsSync(join(found.schemaDir, 'visibility', 'versioned')) &&
    existsSync(found.stockConfig) &&
    existsSync(found.stockDynamicConfig);
  return complete ? found : undefined;
}

export const SERVER_INSTALL_HELP = `The Temporal server is not installed. Build it once (needs Go 1.25+, ~3 minutes per binary the first time):
  npm run temporal:install-server`;

/**
 * Builds both binaries with `go install ...@version` into the cache and copies the module's
 * schema and config files beside them. Takes minutes the first time; Go's build cache makes a
 * rebuild quick.
 */
export async function installServer(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): Promise<ServerInstall> {
  const target = layout(serverInstallDir(env));
  const bin = join(target.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const goEnv = {
    ...env,
    GOBIN: bin,
    GOFLAGS: '',
    // The checksum database may be unreachable where only the module proxy is.
    GONOSUMDB: [env.GONOSUMDB, MODULE].filter(Boolean).join(','),
  };
  const modules = PACKAGES.map((p) => `${MODULE}/${p}@${TEMPORAL_SERVER_VERSION}`);
  log(`building the Temporal server with go install ${modules.join(' ')} into ${bin} (first time takes minutes)`);
  await run('go', ['install', ...modules], goEnv);
  // `go install .../cmd/tools/sql` names the binary after its folder.
  renameSync(join(bin, 'sql'), target.sqlTool);

  const modCache = spawnSync('go', ['env', 'GOMODCACHE'], { env: goEnv, encoding: 'utf8' }).stdout.trim();
  const source = join(modCache, `${MODULE}@${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(source)) throw new Error(`go install finished but the module source is missing at ${source}`);
  copyTree(join(source, 'schema', 'postgresql', 'v12'), target.schemaDir);
  copyTree(join(source, 'config', 'development-postgres12.yaml'), target.stockConfig);
  copyTree(join(source, 'config', 'dynamicconfig', 'development-sql.yaml'), target.stockDynamicConfig);
  const installed = findServerInstall(env);
  if (!installed) throw new Error(`the Temporal server install in ${target.dir} is incomplete`);
  return installed;
}

/** The module cache is read-only: copy contents, not modes, so a reinstall can overwrite. */
function copyTree(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copyTree(join(from, name), join(to, name));
    return;
  }
  mkdirSync(join(to, '..'), { recursive: true });
  if (existsSync(to)) chmodSync(to, 0o644);
  writeFileSync(to, readFileSync(from), { mode: 0o644 });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`cannot run ${command} (${error.message})`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args[0]} failed (exit ${code}):\n${tail}`)),
    );
  });
}
