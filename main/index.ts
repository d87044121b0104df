/** The composition root's front door: what `scripts/start.ts` and `scripts/worker.ts` use. */
export { ConfigError, loadEnv } from '../config/env.js';
export { createLogger } from './logger.js';
export { startRapport, type RapportRuntime, type RuntimeOverrides } from './runtime.js';
export { runWorkerProcess } from './worker-process.js';
export { runHubSpotDoctor, runHubSpotSetup } from './hubspot-portal.js';
