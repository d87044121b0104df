/** `npm run worker`: a worker on its own (see main/worker-process.ts). */
import { ConfigError, runWorkerProcess } from '../main/index.js';

runWorkerProcess().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `worker stopped: ${error.message}`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
