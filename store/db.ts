import { mkdirSync } from 'node:fs';
import pg from 'pg';

/** A timestamp column as ISO text: PostgreSQL hands back Dates, PGlite sometimes strings. */
export const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

/** A json/jsonb column as its value: parsed by pg, text from some PGlite paths. */
export const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * A PostgreSQL data exception (SQLSTATE class 22: a NUL in text, a value too long for its column,
 * a malformed number): the statement fails the same way however often it is retried.
 */
export function isDataException(error: unknown): boolean {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * An error from PostgreSQL or PGlite: a SQLSTATE code with a severity, or PGlite's copy of the
 * statement and its parameters (it attaches `query` and `params` to every error it throws).
 */
export function isDbError(error: unknown): error is Error & Record<string, unknown> {
  if (!(error instanceof Error)) return false;
  const e = error as Error & Record<string, unknown>;
  return (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e) || 'params' in e;
}

/** SQLSTATE classes whose messages quote the offending value: data exceptions and integrity violations. */
const QUOTES_VALUES = /^2[23]/;

/**
 * What may be logged of a database error: its code and where it happened, never the values. The
 * statement's parameters (PGlite attaches them), `detail` ("Failing row contains (...)", "Key
 * (email)=(...)"), `where` ("unnamed portal parameter $1 = '...'") and the values quoted in a
 * data exception's message are customer data, so they are left out or blanked.
 */
export function dbErrorForLog(error: Error & Record<string, unknown>): Record<string, unknown> {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const blank = (text: string) =>
    code && QUOTES_VALUES.test(code) ? text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '"…"') : text;
  const stack = (error.stack ?? '').split('\n');
  const frames = stack.filter((line) => /^\s+at /.test(line));
  const out: Record<string, unknown> = {
    type: 'DatabaseError',
    message: blank(error.message),
    stack: [`${error.name}: ${blank(error.message)}`, ...frames].join('\n'),
  };
  for (const key of ['code', 'severity', 'routine', 'schema', 'table', 'column', 'constraint', 'dataType'])
    if (typeof error[key] === 'string') out[key] = error[key];
  // The statement is Rapport's own text (values are parameters), so it helps and holds no data.
  if (typeof error.query === 'string') out.query = error.query.replace(/\s+/g, ' ').slice(0, 500);
  return out;
}

/** The one database surface Rapport uses: PostgreSQL in production, PGlite embedded. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /**
   * PostgreSQL only: where it is, so another thread can open connections of its own to the same
   * database and schema (the SMTP send thread writes its ledger claims itself, channels/email/).
   */
  readonly postgres?: { url: string; schema?: string };
  query<T extends object = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn inside one transaction on one connection. */
  transaction<T>(fn: (tx: Pick<Db, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Someone is waiting on the answer (a Slack request, answered within 3 s): on PGlite the query
   * goes before queued background queries. PostgreSQL runs queries side by side anyway.
   */
  urgent?: boolean;
}

export interface OpenDbOptions {
  /** postgres://... ; unset -> PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; unset -> in memory. */
  pgliteDir?: string;
  /** Postgres schema to use (tests isolate runs by schema). */
  schema?: string;
  /** PostgreSQL connections at most (default 10). */
  maxConnections?: number;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.schema, options.maxConnections)
    : openPglite(options.pgliteDir);
}

async function openPglite(dir?: string): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  // Loaded only when used: its WebAssembly build costs a PostgreSQL-backed worker ~40 MB of RSS for nothing.
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = new PGlite(dir);
  await lite.waitReady;
  const turn = oneStartPerTurn();
  return {
    kind: 'pglite',
    query: async <T extends object>(sql: string, params?: unknown[], options?: QueryOptions) => {
      await turn(options?.urgent);
      return { rows: (await lite.query<T>(sql, params as unknown[])).rows };
    },
    exec: async (sql) => {
      await turn();
      await lite.exec(sql);
    },
    transaction: async (fn) => {
      await turn();
      return lite.transaction((tx) =>
        fn({
          query: async <T extends object>(sql: string, params?: unknown[]) => ({
            rows: (await tx.query<T>(sql, params)).rows,
          }),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      );
    },
    close: () => lite.close(),
  };
}

/**
 * PGlite runs SQL synchronously on this thread (WebAssembly). Fifty workflow activities finishing
 * together would run their queries back to back and keep the event loop from reading anything,
 * Slack's requests included, until all are done. Here one query (or transaction) starts per turn
 * of the event loop, so network I/O is read in between. PostgreSQL runs queries elsewhere.
 */
function oneStartPerTurn(): (urgent?: boolean) => Promise<void> {
  const urgentWaiting: (() => void)[] = [];
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const next = () => {
    (urgentWaiting.shift() ?? waiting.shift())?.();
    scheduled = urgentWaiting.length + waiting.length > 0;
    if (scheduled) setImmediate(next);
  };
  return (urgent = false) =>
    new Promise<void>((resolve) => {
      (urgent ? urgentWaiting : waiting).push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(next);
      }
    });
}

const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

/**
 * Parameterised statements run as named prepared statements: PostgreSQL parses and plans a hot
 * statement (a dispatch lane's claim, once per recipient) once per connection instead of every time.
 */
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `rapport_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function openPostgres(url: string, schema?: string, maxConnections = 10): Promise<Db> {
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
    max: maxConnections,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Surface a wrong URL at start-up, not at the first request.
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    postgres: schema ? { url, schema } : { url },
    query: async <T extends object>(sql: string, params?: unknown[]) => {
      const name = params?.length ? statementName(sql) : undefined;
      const result = await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params });
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
