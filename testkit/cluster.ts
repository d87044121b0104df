/**
 * A Temporal cluster of a test's (or bench's) own: the real server on PostgreSQL
 * (workflows/temporal/cluster.ts) on databases no one else uses, dropped again at stop.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster, type ClusterLayout, type TemporalCluster } from '../workflows/temporal/cluster.js';
import { findServerInstall, SERVER_INSTALL_HELP } from '../workflows/temporal/server-install.js';

/**
 * Why cluster tests cannot run here, or undefined when they can. Only a machine without the
 * server binaries skips them, and never CI: with CI=true a missing install fails the file.
 */
export function clusterSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (findServerInstall(env)) return undefined;
  if (env.CI === 'true') throw new Error(`CI=true, so the cluster tests must run. ${SERVER_INSTALL_HELP}`);
  const reason = 'the Temporal server is not installed: run npm run temporal:install-server';
  // The summary line only says "skipped": say why where it shows.
  console.warn(`[cluster tests skipped] ${reason}`);
  return reason;
}

export interface TestCluster extends TemporalCluster {
  /** Stops the server and drops its databases. */
  close(): Promise<void>;
}

type TestClusterOptions = { databaseUrl: string; layout?: ClusterLayout; log?: (line: string) => void };

/**
 * A cluster of the test's own; a start that fails (once in a while a service dies at start, e.g. a
 * port picked as free taken by another process before the server binds it) is tried once more,
 * with fresh ports, databases and directory, and the first failure logged.
 */
export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  try {
    return await startTestClusterOnce(options);
  } catch (error) {
    options.log?.(`cluster start failed, trying once more: ${(error as Error).message.slice(0, 2000)}`);
    return startTestClusterOnce(options);
  }
}

async function startTestClusterOnce(options: TestClusterOptions): Promise<TestCluster> {
  const base = decodeURIComponent(new URL(options.databaseUrl).pathname.slice(1)) || 'postgres';
  const id = randomBytes(4).toString('hex');
  const databases = { temporal: `${base}_c${id}_temporal`, visibility: `${base}_c${id}_visibility` };
  const dir = mkdtempSync(join(tmpdir(), 'rapport-cluster-'));
  const drop = async () => {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      for (const name of Object.values(databases)) {
        await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
      }
    } finally {
      await client.end();
    }
  };
  let cluster: TemporalCluster;
  try {
    cluster = await startCluster({
      databaseUrl: options.databaseUrl,
      databases,
      dir,
      layout: options.layout,
      logLevel: 'warn',
      log: options.log,
    });
  } catch (error) {
    await drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...cluster,
    close: async () => {
      await cluster.stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
