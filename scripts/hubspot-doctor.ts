/**
 * `npm run hubspot:doctor`: checks the token's scopes, every property Rapport reads or writes,
 * that lists are readable, and measures the search index lag; prints one table and exits 1 when
 * anything needs fixing.
 */
import { existsSync } from 'node:fs';
import { loadEnv, runHubSpotDoctor } from '../main/index.js';

if (existsSync('.env')) process.loadEnvFile('.env');

try {
  const { table, exitCode } = await runHubSpotDoctor(loadEnv());
  console.log(table);
  process.exitCode = exitCode;
} catch (error) {
  console.error(`hubspot:doctor failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
