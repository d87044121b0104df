import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../workflows/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

/** One real Temporal dev server per test run (in memory), shared by every integration test. */
export default async function setup(project: TestProject) {
  const server = await startDevServer({ ui: false, log: (line) => console.log(`[temporal] ${line}`) });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server.stop();
  };
}
