import { resolve } from 'node:path';
import type { Env } from '../../config/env.js';
import { openDb, type Db } from '../../store/db.js';
import { migrate } from '../../store/migrations.js';
import type { Cleanups } from './cleanups.js';

/** PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR; migrated before anything reads it. */
export async function startStore(env: Env, dataDir: string, cleanups: Cleanups, given?: Db): Promise<Db> {
  const db = given ?? (await openDb({ databaseUrl: env.DATABASE_URL, pgliteDir: resolve(dataDir, 'pglite') }));
  if (!given) cleanups.defer(() => db.close());
  await migrate(db);
  return db;
}
