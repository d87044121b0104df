/**
 * The HTTP API's contracts: zod schemas of every request and answer, and their types. The
 * server validates with them and documents them (GET /api/openapi.json); the CLI parses its
 * answers with them; the Outlook add-in imports their types only. Imports nothing but zod and
 * pure domain modules, so any client can load it.
 */
export * from './addin.js';
export * from './alerts.js';
export * from './common.js';
export * from './customers.js';
export * from './docs.js';
export * from './errors.js';
export * from './health.js';
export * from './links.js';
export * from './topics.js';
export * from './touches.js';
export * from './vocabulary.js';
export * from './webhooks.js';
export * from './trail.js';
export * from './live-summary.js';
