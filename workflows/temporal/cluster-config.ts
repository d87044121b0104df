/**
 * The Temporal server's configuration for a Rapport cluster: the module's stock
 * `config/development-postgres12.yaml` with the PostgreSQL connection, the database names and
 * every port moved (to loopback ports chosen by the caller), and its stock dynamic config with
 * the one value that names a port. Pure: text in, text out.
 */
import { parse, stringify } from 'yaml';

export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Temporal keeps each member's port in cluster_membership.rpc_port, a SMALLINT: a port of 32768
 * or more does not fit and the service cannot join its own cluster.
 */
export const MAX_MEMBERSHIP_PORT = 32_767;

export interface ClusterPorts {
  /** gRPC of each service; frontend's is the address clients use. */
  grpc: Record<ServiceName, number>;
  /** Ringpop membership of each service (stored in cluster_membership). */
  membership: Record<ServiceName, number>;
  /** The frontend's HTTP API (also Nexus callbacks). */
  frontendHttp: number;
  /**
   * Prometheus metrics at http://127.0.0.1:<port>/metrics, per process: one process for all four
   * services serves them on frontend's.
   */
  metrics: Record<ServiceName, number>;
}

export interface ClusterDatabase {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Persistence: workflows, histories, task queues, cluster membership. */
  temporalDatabase: string;
  /** Visibility: what `workflow list` searches. */
  visibilityDatabase: string;
  /** Connections of the persistence pool per service (the stock 20 is for one laptop). */
  maxConns?: number;
}

export interface ClusterConfigInput {
  stockConfig: string;
  ports: ClusterPorts;
  database: ClusterDatabase;
  dynamicConfigPath: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The config of the process running this service alone (its metrics port); unset: all four in one. */
  service?: ServiceName;
}

export function allPorts(ports: ClusterPorts): number[] {
  return [
    ...Object.values(ports.grpc),
    ...Object.values(ports.membership),
    ports.frontendHttp,
    ...Object.values(ports.metrics),
  ];
}

type Tree = Record<string, unknown>;
const at = (tree: Tree, ...path: string[]): Tree => {
  let node = tree;
  for (const key of path) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) {
      throw new Error(`the stock Temporal config has no ${path.join('.')}`);
    }
    node = next as Tree;
  }
  return node;
};

export function clusterConfig(input: ClusterConfigInput): string {
  const { ports, database } = input;
  for (const service of SERVICES) {
    if (ports.membership[service] > MAX_MEMBERSHIP_PORT || ports.grpc[service] > MAX_MEMBERSHIP_PORT) {
      throw new Error(`Temporal stores member ports as SMALLINT: ${service}'s ports must be below 32768`);
    }
  }
  const config = parse(input.stockConfig) as Tree;

  at(config, 'log').level = input.logLevel ?? 'warn';

  const stores = at(config, 'persistence', 'datastores');
  const [defaultStore, visibilityStore] = [
    at(config, 'persistence').defaultStore as string,
    at(config, 'persistence').visibilityStore as string,
  ];
  for (const [name, databaseName] of [
    [defaultStore, database.temporalDatabase],
    [visibilityStore, database.visibilityDatabase],
  ] as const) {
    const sql = at(stores, name, 'sql');
    sql.databaseName = databaseName;
    sql.connectAddr = `${database.host}:${database.port}`;
    sql.user = database.user;
    sql.password = database.password ?? '';
    if (name === defaultStore && database.maxConns) {
      sql.maxConns = database.maxConns;
      sql.maxIdleConns = database.maxConns;
    }
  }

  const global = at(config, 'global');
  at(global, 'membership').broadcastAddress = '127.0.0.1';
  // 0 turns the profiler off: one port less to collide on.
  at(global, 'pprof').port = 0;
  at(global, 'metrics', 'prometheus').listenAddress = `127.0.0.1:${ports.metrics[input.service ?? 'frontend']}`;

  for (const service of SERVICES) {
    const rpc = at(config, 'services', service, 'rpc');
    rpc.grpcPort = ports.grpc[service];
    rpc.membershipPort = ports.membership[service];
    rpc.bindOnLocalHost = true;
    if (service === 'frontend') rpc.httpPort = ports.frontendHttp;
  }

  const clusterInformation = at(config, 'clusterMetadata', 'clusterInformation');
  const current = at(config, 'clusterMetadata').currentClusterName as string;
  at(clusterInformation, current).rpcAddress = `127.0.0.1:${ports.grpc.frontend}`;

  at(config, 'dynamicConfigClient').filepath = input.dynamicConfigPath;
  return stringify(config);
}

/** The stock dynamic config, with the Nexus callback pointed at this cluster's HTTP port. */
export function clusterDynamicConfig(stockDynamicConfig: string, ports: ClusterPorts): string {
  const config = (parse(stockDynamicConfig) ?? {}) as Tree;
  const template = config['component.nexusoperations.callback.endpoint.template'];
  if (Array.isArray(template)) {
    for (const entry of template as Tree[]) {
      if (typeof entry.value === 'string') {
        entry.value = entry.value.replace(/localhost:\d+/, `127.0.0.1:${ports.frontendHttp}`);
      }
    }
  }
  return stringify(config);
}
