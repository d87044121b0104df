import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  allPorts,
  clusterConfig,
  clusterDynamicConfig,
  SERVICES,
  type ClusterPorts,
} from '../../../../workflows/temporal/cluster-config.js';
import { databaseSettings } from '../../../../workflows/temporal/cluster.js';

// The files of go.temporal.io/server@v1.30.4 the cluster derives its config from (MIT licence).
const FIXTURES = join(import.meta.dirname, '../../../fixtures/temporal-server');
const stockConfig = readFileSync(join(FIXTURES, 'development-postgres12.yaml'), 'utf8');
const stockDynamicConfig = readFileSync(join(FIXTURES, 'development-sql.yaml'), 'utf8');

const PORTS: ClusterPorts = {
  grpc: { frontend: 21001, history: 21002, matching: 21003, worker: 21004 },
  membership: { frontend: 21011, history: 21012, matching: 21013, worker: 21014 },
  frontendHttp: 21020,
  metrics: { frontend: 21021, history: 21022, matching: 21023, worker: 21024 },
};
const DATABASE = {
  host: 'db.internal',
  port: 6543,
  user: 'rapport',
  password: 's3cret',
  temporalDatabase: 'rapport_temporal',
  visibilityDatabase: 'rapport_visibility',
  maxConns: 10,
};

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const build = (ports = PORTS) =>
  parse(clusterConfig({ stockConfig, ports, database: DATABASE, dynamicConfigPath: '/run/dc.yaml' })) as Tree;

describe('the cluster config derived from the stock development-postgres12.yaml', () => {
  it('moves every port the stock config names off its default', () => {
    const config = build();
    for (const service of SERVICES) {
      expect(config.services[service].rpc).toMatchObject({
        grpcPort: PORTS.grpc[service],
        membershipPort: PORTS.membership[service],
        bindOnLocalHost: true,
      });
    }
    expect(config.services.frontend.rpc.httpPort).toBe(PORTS.frontendHttp);
    expect(config.global.metrics.prometheus.listenAddress).toBe('127.0.0.1:21021');
    expect(config.global.pprof.port).toBe(0);
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:21001');
    // No stock default port survives anywhere in the text.
    const text = clusterConfig({ stockConfig, ports: PORTS, database: DATABASE, dynamicConfigPath: '/x' });
    for (const stock of [7233, 7234, 7235, 7239, 7243, 6933, 6934, 6935, 6939, 7936, 8000]) {
      expect(text).not.toContain(String(stock));
    }
  });

  it('gives each service its own metrics port when the services run one process each', () => {
    const config = (service?: 'history') =>
      parse(clusterConfig({ stockConfig, ports: PORTS, database: DATABASE, dynamicConfigPath: '/x', service })) as Tree;
    expect(config().global.metrics.prometheus.listenAddress).toBe('127.0.0.1:21021');
    expect(config('history').global.metrics.prometheus.listenAddress).toBe('127.0.0.1:21022');
    // Everything else is the same cluster.
    expect(config('history').services).toEqual(config().services);
  });

  it('points persistence and visibility at their own databases on the given PostgreSQL', () => {
    const config = build();
    const { datastores } = config.persistence;
    expect(datastores[config.persistence.defaultStore].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'rapport_temporal',
      connectAddr: 'db.internal:6543',
      user: 'rapport',
      password: 's3cret',
      maxConns: 10,
    });
    expect(datastores[config.persistence.visibilityStore].sql).toMatchObject({
      databaseName: 'rapport_visibility',
      connectAddr: 'db.internal:6543',
    });
    expect(config.dynamicConfigClient.filepath).toBe('/run/dc.yaml');
    expect(config.log.level).toBe('warn');
  });

  it('refuses member ports Temporal cannot store (cluster_membership.rpc_port is a SMALLINT)', () => {
    const high = { ...PORTS, membership: { ...PORTS.membership, history: 40000 } };
    expect(() => build(high)).toThrow(/below 32768/);
    expect(new Set(allPorts(PORTS)).size).toBe(13);
  });

  it('points the dynamic config’s Nexus callback at the moved HTTP port, keeping the rest', () => {
    const config = parse(clusterDynamicConfig(stockDynamicConfig, PORTS)) as Tree;
    expect(config['component.nexusoperations.callback.endpoint.template'][0].value).toBe(
      'http://127.0.0.1:21020/namespaces/{{.NamespaceName}}/nexus/callback',
    );
    expect(config['limit.maxIDLength'][0].value).toBe(255);
    // Gone from 1.30.4: setting it would only log a warning.
    expect(config).not.toHaveProperty('frontend.enableExecuteMultiOperation');
  });
});

describe('database settings from a PostgreSQL URL', () => {
  it('names Temporal’s databases after the URL’s database unless told', () => {
    expect(databaseSettings('postgres://rapport:p%40ss@127.0.0.1:55432/rapport_cluster')).toEqual({
      host: '127.0.0.1',
      port: 55432,
      user: 'rapport',
      password: 'p@ss',
      temporalDatabase: 'rapport_cluster_temporal',
      visibilityDatabase: 'rapport_cluster_visibility',
    });
    expect(databaseSettings('postgres://u@h/x', { temporal: 't', visibility: 'v' })).toMatchObject({
      port: 5432,
      password: undefined,
      temporalDatabase: 't',
      visibilityDatabase: 'v',
    });
  });
});
