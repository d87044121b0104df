/**
 * `npm run sandbox:hubspot`: the HubSpot sandbox on its own, seeded and persisted in DATA_DIR.
 * SANDBOX_PORT (default 3100), SANDBOX_TOKEN (bearer token to require; none by default),
 * HUBSPOT_RATE_LIMIT (requests per 10 s, default 100), SANDBOX_SCOPES (comma-separated scopes the
 * token holds; unset: every scope; see sandbox/hubspot/README.md).
 */
import { resolve } from 'node:path';
import { startHubSpotSandbox } from '../sandbox/hubspot/index.js';

async function main() {
  const port = Number(process.env.SANDBOX_PORT ?? 3100);
  const sandbox = await startHubSpotSandbox({
    port,
    host: process.env.SANDBOX_HOST ?? '127.0.0.1',
    dataDir: resolve(process.env.DATA_DIR ?? '.data'),
    seed: true,
    accessToken: process.env.SANDBOX_TOKEN || undefined,
    rateLimit: { perTenSeconds: Number(process.env.HUBSPOT_RATE_LIMIT ?? 100) },
    ...(process.env.SANDBOX_SCOPES
      ? {
          scopes: process.env.SANDBOX_SCOPES.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
  });
  console.log(
    `HubSpot sandbox on ${sandbox.url} (faults: POST ${sandbox.url}/__sandbox/faults, stats: GET ${sandbox.url}/__sandbox/stats)`,
  );
  const stop = () => {
    sandbox.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`sandbox did not stop cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`HubSpot sandbox failed to start: ${error.message}`);
  process.exit(1);
});
