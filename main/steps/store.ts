import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { openDb, type Db } from '../../store/db.js';
import { migrate } from '../../store/migrations.js';
import type { Cleanups } from './cleanups.js';

/** PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR; migrated before anything reads it. */
export async function startStore(
  env: Env,
  dataDir: string,
  logger: Logger,
  cleanups: Cleanups,
  given?: Db,
): Promise<Db> {
  const db = given ?? (await openDb({ databaseUrl: env.DATABASE_URL, pgliteDir: resolve(dataDir, 'pglite') }));
  if (!given) cleanups.defer(() => db.close());
  const applied = await migrate(db);
  // Which process applied which migration: with several starting at once, each is applied by one.
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  return db;
}
