/**
 * `npm run cluster`: a Temporal cluster (the server with PostgreSQL persistence and visibility,
 * not the dev server) on loopback, in the foreground until Ctrl-C. Creates or upgrades
 * Temporal's two databases on the PostgreSQL of DATABASE_URL, starts the server, registers the
 * namespace and prints the TEMPORAL_ADDRESS to run Rapport with (docs/OPERATIONS.md, "A Temporal
 * cluster on one machine").
 *
 *   npm run cluster -- [--database-url URL] [--port 7233] [--dir DIR] [--per-service] [--log-level info]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadEnv } from '../config/env.js';
import { startCluster, type TemporalCluster } from '../workflows/temporal/cluster.js';

const USAGE = `npm run cluster -- [options]
  --database-url URL  PostgreSQL for Temporal's databases (default: DATABASE_URL)
  --temporal-db NAME  persistence database (default: <database of the URL>_temporal)
  --visibility-db NAME visibility database (default: <database of the URL>_visibility)
  --port N            the frontend's gRPC port, below 32768 (default: the last run's, or a free one)
  --dir DIR           config and server logs (default: DATA_DIR/temporal-cluster)
  --per-service       one process per service instead of one for all four
  --log-level LEVEL   the server's log level: debug, info, warn (default), error`;

async function main() {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      'temporal-db': { type: 'string' },
      'visibility-db': { type: 'string' },
      port: { type: 'string' },
      dir: { type: 'string' },
      'per-service': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = loadEnv();
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('the cluster keeps its state in PostgreSQL: set DATABASE_URL or pass --database-url\n');
    console.error(USAGE);
    process.exit(64);
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 32768)) {
    console.error(`--port must be a port below 32768 (Temporal stores member ports as SMALLINT), not ${values.port}`);
    process.exit(64);
  }
  const logLevel = values['log-level'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    console.error(`--log-level must be debug, info, warn or error, not ${logLevel}`);
    process.exit(64);
  }
  const temporalDb = values['temporal-db'];
  const visibilityDb = values['visibility-db'];
  if ((temporalDb === undefined) !== (visibilityDb === undefined)) {
    console.error('--temporal-db and --visibility-db go together');
    process.exit(64);
  }

  const cluster = await startCluster({
    databaseUrl,
    databases: temporalDb && visibilityDb ? { temporal: temporalDb, visibility: visibilityDb } : undefined,
    dir: resolve(values.dir ?? join(env.DATA_DIR, 'temporal-cluster')),
    namespace: env.TEMPORAL_NAMESPACE,
    port,
    layout: values['per-service'] ? 'per-service' : 'one-process',
    logLevel: logLevel as 'debug' | 'info' | 'warn' | 'error',
    cliPath: env.TEMPORAL_CLI_PATH,
    log: (line) => console.error(line),
  });
  console.error(
    `Temporal cluster ready (${cluster.layout}; databases ${cluster.databases.temporal}, ${cluster.databases.visibility}; ` +
      `metrics ${metricsUrls(cluster)}). Run Rapport against it with:`,
  );
  console.log(`TEMPORAL_ADDRESS=${cluster.address}`);
  console.log(`TEMPORAL_NAMESPACE=${cluster.namespace}`);
  void cluster.crashed.then((why) => {
    console.error(why);
    process.exit(1);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error('stopping the Temporal cluster');
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function metricsUrls(cluster: TemporalCluster): string {
  const url = (port: number) => `http://127.0.0.1:${port}/metrics`;
  if (cluster.layout === 'one-process') return url(cluster.ports.metrics.frontend);
  return Object.entries(cluster.ports.metrics)
    .map(([service, port]) => `${service} ${url(port)}`)
    .join(', ');
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `cluster: ${error.message}`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
