/**
 * `npm run hubspot:setup`: creates Rapport's property group and every property it writes or
 * (under its own rapport_* names) reads, with types and options, where missing. Safe to rerun.
 * Reads HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_PATH and the HUBSPOT_PROPERTY_* mapping.
 */
import { existsSync } from 'node:fs';
import { loadEnv, runHubSpotSetup } from '../main/index.js';

if (existsSync('.env')) process.loadEnvFile('.env');

try {
  for (const line of await runHubSpotSetup(loadEnv())) console.log(line);
} catch (error) {
  console.error(`hubspot:setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
