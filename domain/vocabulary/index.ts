/**
 * The product's words, defined once: every surface (store, workflows, routes, Slack, the add-in)
 * imports them from here. Pure: zod schemas and types, no I/O.
 */
export * from './alert-status.js';
export * from './channel.js';
export * from './engagement-kind.js';
export * from './response-kind.js';
export * from './touch-channel.js';
export * from './touch-status.js';
