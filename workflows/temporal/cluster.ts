/**
 * A real Temporal cluster (the server, not the CLI's dev server) with PostgreSQL persistence and
 * visibility, on loopback: creates and migrates Temporal's two databases with temporal-sql-tool,
 * writes a config derived from the module's stock development-postgres12.yaml, starts the
 * server's four services (one process, or one per service), registers the namespace with the
 * Temporal CLI and waits until it takes work. `npm run cluster` runs it in the foreground; the
 * cluster tests and bench:scale start, restart and stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ALERT_SEARCH_ATTRIBUTES } from '../search-attributes.js';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { findInstalledCli, goInstallCli } from './cli-locator.js';
import {
  allPorts,
  clusterConfig,
  clusterDynamicConfig,
  SERVICES,
  type ClusterDatabase,
  type ClusterPorts,
  type ServiceName,
} from './cluster-config.js';
import { canListen, freePortsBelow, isPortOpen } from './free-port.js';
import { findServerInstall, SERVER_INSTALL_HELP, type ServerInstall } from './server-install.js';

/**
 * 'one-process' (the default): all four services in one `server` process; 'per-service': one
 * process each, as a production cluster runs them, so one (e.g. history) can be restarted alone.
 */
export type ClusterLayout = 'one-process' | 'per-service';

export interface ClusterOptions {
  /** A PostgreSQL URL; its host, port, user and password are Temporal's too. */
  databaseUrl: string;
  /** Default: <database of databaseUrl>_temporal and _visibility. */
  databases?: { temporal: string; visibility: string };
  /** Config, port choice and server logs. */
  dir: string;
  namespace?: string;
  /** The frontend's gRPC port (below 32768); default: the previous run's (same dir) or a free one. */
  port?: number;
  layout?: ClusterLayout;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Persistence connections per service process (default 10). */
  maxConns?: number;
  /** How long closed workflows stay (Temporal duration, default 168h). */
  retention?: string;
  install?: ServerInstall;
  cliPath?: string;
  log?: (line: string) => void;
}

export interface TemporalCluster {
  /** host:port of the frontend: Rapport's TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  dir: string;
  layout: ClusterLayout;
  databases: { temporal: string; visibility: string };
  ports: ClusterPorts;
  /** Resolves (with the reason and the log's tail) when a server process exits that we did not end. */
  crashed: Promise<string>;
  /** Process ids of the running server processes (CPU accounting reads /proc/<pid>/stat). */
  pids(): number[];
  /**
   * Ends the server (all of it, or one service in the per-service layout) with `signal`, waits
   * `downMs`, starts it again on the same ports and state, and resolves once it takes work.
   */
  restart(options?: { service?: ServiceName; signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
  /** SIGTERM to every server process (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

interface Running {
  services: ServiceName[];
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
  /** We are ending it (stop or restart): its exit is no crash. */
  ending: boolean;
}

/** Membership rows heartbeat every 10-15 s; Temporal bootstraps from rows seen within 20 s. */
const LIVE_HEARTBEAT = "interval '20 seconds'";
const READY_TIMEOUT_MS = 120_000;
/** A workflow id and task queue nobody uses: asking about them reaches history and matching. */
const PROBE = 'rapport-cluster-readiness-probe';

export function databaseSettings(databaseUrl: string, databases?: { temporal: string; visibility: string }) {
  const url = new URL(databaseUrl);
  if (!url.hostname) throw new Error('the cluster needs a PostgreSQL URL with a host (postgres://user@host:port/db)');
  const base = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    temporalDatabase: databases?.temporal ?? `${base}_temporal`,
    visibilityDatabase: databases?.visibility ?? `${base}_visibility`,
  } satisfies ClusterDatabase;
}

function urlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function startCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const log = options.log ?? (() => undefined);
  const install = options.install ?? findServerInstall();
  if (!install) throw new Error(SERVER_INSTALL_HELP);
  const cli = findInstalledCli(process.env, options.cliPath) ?? (await goInstallCli(process.env, log));
  const layout = options.layout ?? 'one-process';
  const namespace = options.namespace ?? 'default';
  const database = { ...databaseSettings(options.databaseUrl, options.databases), maxConns: options.maxConns ?? 10 };
  const databases = { temporal: database.temporalDatabase, visibility: database.visibilityDatabase };
  mkdirSync(join(options.dir, 'logs'), { recursive: true });

  await setUpSchemas(install, database, log);
  const membershipUrl = urlFor(options.databaseUrl, database.temporalDatabase);
  await clearStaleMembership(membershipUrl);

  const ports = await choosePorts(options.dir, options.port);
  const dynamicConfigPath = join(options.dir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigPath, clusterDynamicConfig(readFileSync(install.stockDynamicConfig, 'utf8'), ports));
  const stockConfig = readFileSync(install.stockConfig, 'utf8');
  /** One config per process: they differ only in the metrics port. It holds the password: owner only. */
  const configFor = (service?: ServiceName) => {
    const path = join(options.dir, service ? `temporal-${service}.yaml` : 'temporal.yaml');
    writeFileSync(
      path,
      clusterConfig({ stockConfig, ports, database, dynamicConfigPath, logLevel: options.logLevel, service }),
      { mode: 0o600 },
    );
    return path;
  };
  writeFileSync(join(options.dir, 'ports.json'), `${JSON.stringify(ports, null, 2)}\n`);

  const address = `127.0.0.1:${ports.grpc.frontend}`;
  const groups: ServiceName[][] = layout === 'one-process' ? [[...SERVICES]] : SERVICES.map((s) => [s]);
  const running = new Map<string, Running>();
  const killAll = () => {
    for (const r of running.values()) r.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let reportCrash: (why: string) => void = () => undefined;
  const crashed = new Promise<string>((resolve) => (reportCrash = resolve));

  const configs = new Map(
    groups.map((services) => [services.join(), configFor(services.length === 1 ? services[0] : undefined)]),
  );
  const spawnGroup = (services: ServiceName[]) => {
    const name = services.length === SERVICES.length ? 'server' : services.join('-');
    const logFile = join(options.dir, 'logs', `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(
      install.server,
      [
        '--config-file',
        configs.get(services.join())!,
        '--allow-no-auth',
        'start',
        ...services.flatMap((s) => ['--service', s]),
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const entry: Running = { services, child, exited, logFile, ending: false };
    child.once('exit', (code, signal) => {
      if (!entry.ending) {
        reportCrash(
          `the Temporal server (${services.join(', ')}) exited (${signal ?? `code ${code}`}):\n${tail(logFile)}`,
        );
      }
    });
    running.set(name, entry);
  };
  const ready = () => waitReady(cli.path, address, namespace, options.retention ?? '168h', running, log);

  const stopGroups = async (names: string[], signal: NodeJS.Signals) => {
    await Promise.all(
      names.map(async (name) => {
        const r = running.get(name)!;
        r.ending = true;
        if (r.child.exitCode === null && r.child.signalCode === null) {
          r.child.kill(signal);
          const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
          await r.exited;
          clearTimeout(timer);
        }
      }),
    );
  };

  try {
    // Every server process writes the cluster metadata row at start (insert on a fresh database,
    // update when the ports moved) with a version check: started together, all but one lose that
    // race and exit ("failed to initialize current cluster metadata"). The first goes alone until
    // it has joined the membership ring, which it does only after that write.
    const [first, ...rest] = groups as [ServiceName[], ...ServiceName[][]];
    spawnGroup(first);
    if (rest.length > 0) {
      await waitJoined(membershipUrl, ports.membership[first[0]!], running);
      for (const services of rest) spawnGroup(services);
    }
    log(`Temporal server ${layout} starting at ${address} (logs in ${join(options.dir, 'logs')})`);
    await ready();
  } catch (error) {
    await stopGroups([...running.keys()], 'SIGKILL');
    process.removeListener('exit', killAll);
    throw error;
  }

  return {
    address,
    namespace,
    dir: options.dir,
    layout,
    databases,
    ports,
    crashed,
    pids: () => [...running.values()].filter((r) => r.child.exitCode === null).map((r) => r.child.pid!),
    restart: async ({ service, signal = 'SIGKILL', downMs = 0 } = {}) => {
      const names = [...running.keys()].filter((name) => !service || running.get(name)!.services.includes(service));
      if (service && layout === 'one-process') {
        throw new Error(`the one-process layout cannot restart ${service} alone: start the cluster per-service`);
      }
      const restarted = names.flatMap((name) => running.get(name)!.services);
      await stopGroups(names, signal);
      log(`Temporal ${restarted.join(', ')} stopped (${signal})`);
      await delay(downMs);
      // The dead members' rows point at ports nobody answers on until they are back; a starting
      // member that bootstraps from them waits on them. The restarted members rejoin on the same ports.
      await deleteMembership(
        membershipUrl,
        restarted.map((s) => ports.membership[s]),
      );
      for (const name of names) spawnGroup(running.get(name)!.services);
      await ready();
      log(`Temporal ${restarted.join(', ')} back at ${address}`);
    },
    stop: async () => {
      await stopGroups([...running.keys()], 'SIGTERM');
      process.removeListener('exit', killAll);
    },
  };
}

/** create-database (a no-op when it exists), setup-schema -v 0.0, then every versioned step still missing. */
async function setUpSchemas(install: ServerInstall, db: ClusterDatabase, log: (line: string) => void) {
  // The password goes by environment, not argv, so it never shows in a process list.
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: db.host,
    SQL_PORT: String(db.port),
    SQL_USER: db.user,
    SQL_PASSWORD: db.password ?? '',
  };
  for (const [database, kind] of [
    [db.temporalDatabase, 'temporal'],
    [db.visibilityDatabase, 'visibility'],
  ] as const) {
    const tool = (...args: string[]) => runTool(install.sqlTool, ['--database', database, ...args], env);
    await tool('create-database');
    await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '-d', join(install.schemaDir, kind, 'versioned'));
    log(`database ${database}: Temporal ${kind} schema up to date`);
  }
}

function runTool(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`cannot run ${path} (${error.message})`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.split('/').pop()} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

/**
 * Rows of a previous server on these databases: a live one (its member port answers) means
 * another cluster uses them, so refuse; rows of a dead one would make the new server wait on them.
 */
async function clearStaleMembership(membershipUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: membershipUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ address: string; port: number }>(
      `select rpc_address as address, rpc_port as port from cluster_membership
        where last_heartbeat > (now() at time zone 'utc') - ${LIVE_HEARTBEAT}`,
    );
    for (const row of rows) {
      if (await isPortOpen(row.port, row.address)) {
        throw new Error(
          `a Temporal server is already running on these databases (member ${row.address}:${row.port}): stop it, or use other databases`,
        );
      }
    }
    await client.query('delete from cluster_membership');
  } finally {
    await client.end();
  }
}

/** Until the member on membershipPort has a row in cluster_membership; fails fast if a process died. */
async function waitJoined(membershipUrl: string, membershipPort: number, running: Map<string, Running>) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const client = new pg.Client({ connectionString: membershipUrl });
  await client.connect();
  try {
    for (;;) {
      const dead = [...running.values()].find((r) => r.child.exitCode !== null || r.child.signalCode !== null);
      if (dead) {
        throw new Error(
          `the Temporal server (${dead.services.join(', ')}) exited while starting:\n${tail(dead.logFile)}`,
        );
      }
      const { rowCount } = await client.query('select 1 from cluster_membership where rpc_port = $1', [membershipPort]);
      if (rowCount) return;
      if (Date.now() > deadline) {
        throw new Error(
          `the first Temporal service did not join the membership ring within ${READY_TIMEOUT_MS / 1000} s`,
        );
      }
      await delay(200);
    }
  } finally {
    await client.end();
  }
}

async function deleteMembership(membershipUrl: string, membershipPorts: number[]): Promise<void> {
  const client = new pg.Client({ connectionString: membershipUrl });
  await client.connect();
  try {
    await client.query('delete from cluster_membership where rpc_port = any($1::int[])', [membershipPorts]);
  } finally {
    await client.end();
  }
}

/** The previous run's ports when they are all free again (a stable address), else new ones. */
async function choosePorts(dir: string, frontendPort?: number): Promise<ClusterPorts> {
  const file = join(dir, 'ports.json');
  if (existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as ClusterPorts;
    const sameShape = typeof previous.metrics === 'object' && SERVICES.every((s) => previous.metrics[s] > 0);
    if (sameShape && (frontendPort === undefined || frontendPort === previous.grpc.frontend)) {
      const free = await Promise.all(allPorts(previous).map((p) => canListen(p)));
      if (free.every(Boolean)) return previous;
    }
  }
  if (frontendPort !== undefined && !(await canListen(frontendPort))) {
    throw new Error(`port ${frontendPort} is taken; choose another for the Temporal frontend`);
  }
  const picked = (await freePortsBelow(14)).filter((p) => p !== frontendPort);
  const next = () => picked.shift()!;
  return {
    grpc: { frontend: frontendPort ?? next(), history: next(), matching: next(), worker: next() },
    membership: { frontend: next(), history: next(), matching: next(), worker: next() },
    frontendHttp: next(),
    metrics: { frontend: next(), history: next(), matching: next(), worker: next() },
  };
}

/** Healthy frontend, the namespace registered, and the namespace taking requests (its cache refreshes). */
async function waitReady(
  cli: string,
  address: string,
  namespace: string,
  retention: string,
  running: Map<string, Running>,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const temporal = (...args: string[]) =>
    runTool(cli, [...args, '--address', address], process.env).then(
      (out) => ({ ok: true, out }),
      (error: Error) => ({ ok: false, out: error.message }),
    );
  const check = async (what: string, attempt: () => Promise<boolean>) => {
    for (;;) {
      const dead = [...running.values()].find((r) => r.child.exitCode !== null || r.child.signalCode !== null);
      if (dead) {
        throw new Error(
          `the Temporal server (${dead.services.join(', ')}) exited while starting:\n${tail(dead.logFile)}`,
        );
      }
      if (await attempt()) return;
      if (Date.now() > deadline) {
        const logs = [...running.values()].map((r) => tail(r.logFile)).join('\n');
        throw new Error(
          `the Temporal cluster at ${address} was not ${what} within ${READY_TIMEOUT_MS / 1000} s:\n${logs}`,
        );
      }
      await delay(250);
    }
  };
  await check('healthy', async () => (await temporal('operator', 'cluster', 'health')).out.includes('SERVING'));
  const described = await temporal('operator', 'namespace', 'describe', '--namespace', namespace);
  if (!described.ok) {
    const created = await temporal(
      'operator',
      'namespace',
      'create',
      '--namespace',
      namespace,
      '--retention',
      retention,
    );
    if (!created.ok && !/already (exists|registered)/i.test(created.out)) {
      throw new Error(`could not register the namespace ${namespace}: ${created.out}`);
    }
    log(`namespace ${namespace} registered`);
  }
  // Rapport's search attributes (workflows/search-attributes.ts): without them alerts run untagged.
  for (const attribute of ALERT_SEARCH_ATTRIBUTES) {
    const created = await temporal(
      'operator',
      'search-attribute',
      'create',
      '--namespace',
      namespace,
      '--name',
      attribute.name,
      '--type',
      attribute.cliType,
    );
    if (!created.ok && !/already exists/i.test(created.out))
      log(`could not register the search attribute ${attribute.name}: ${created.out.trim()}`);
  }
  // Each service answers for itself: a restarted history or matching is back only once these pass.
  await check('answering from history', async () => {
    const { out } = await temporal('workflow', 'describe', '--namespace', namespace, '--workflow-id', PROBE);
    return /not found/i.test(out);
  });
  await check(
    'answering from matching',
    async () => (await temporal('task-queue', 'describe', '--namespace', namespace, '--task-queue', PROBE)).ok,
  );
  await check(
    `serving namespace ${namespace}`,
    async () => (await temporal('workflow', 'list', '--namespace', namespace, '--limit', '1')).ok,
  );
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
