import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrations.js';

/** PGlite in memory by default; a fresh schema on the real PostgreSQL when DATABASE_URL is set. */
export async function testDb(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  const db = url
    ? await openDb({ databaseUrl: url, schema: `test_${randomBytes(6).toString('hex')}` })
    : await openDb({});
  await migrate(db);
  return db;
}
