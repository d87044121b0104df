import { mkdirSync } from 'node:fs';
import pg from 'pg';

/** The one database surface Rapport uses: PostgreSQL in production, PGlite embedded. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn inside one transaction on one connection. */
  transaction<T>(fn: (tx: Pick<Db, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres://... ; unset -> PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; unset -> in memory. */
  pgliteDir?: string;
  /** Postgres schema to use (tests isolate runs by schema). */
  schema?: string;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.schema) : openPglite(options.pgliteDir);
}

async function openPglite(dir?: string): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  // Loaded only when used: its WebAssembly build costs a PostgreSQL-backed worker ~40 MB of RSS for nothing.
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = new PGlite(dir);
  await lite.waitReady;
  return {
    kind: 'pglite',
    query: async <T extends object>(sql: string, params?: unknown[]) => ({
      rows: (await lite.query<T>(sql, params as unknown[])).rows,
    }),
    exec: async (sql) => {
      await lite.exec(sql);
    },
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({
          query: async <T extends object>(sql: string, params?: unknown[]) => ({
            rows: (await tx.query<T>(sql, params)).rows,
          }),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      ),
    close: () => lite.close(),
  };
}

async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema) {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`create schema if not exists ${schema}`);
    await setup.end();
  }
  // Every pooled connection starts with the schema on its search path, before any query runs.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Surface a wrong URL at start-up, not at the first request.
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    query: async <T extends object>(sql: string, params?: unknown[]) => {
      const result = await pool.query(sql, params);
      return { rows: result.rows as T[] };
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn({
          query: async <T extends object>(sql: string, params?: unknown[]) => ({
            rows: (await client.query(sql, params)).rows as T[],
          }),
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        await client.query('commit');
        return out;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
