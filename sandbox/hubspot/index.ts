export { startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from './start.js';
export type { FaultController, FaultSpec } from './faults.js';
export type { SandboxStats } from './stats.js';
export type { SandboxRequest } from './context.js';
export type { CrmRecord } from './state.js';
export type { ObjectType } from './object-types.js';
export { DEMO_COMPANIES, DEMO_CONTACTS, DEMO_LISTS, DEMO_OWNERS } from './seed/demo.js';
export { SEED, SEEDED_CUSTOM_PROPERTIES } from './seed/seed.js';
export { seedBenchLists, type BenchLists, type BenchListsOptions } from './seed/bench.js';
