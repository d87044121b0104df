import type { Worker } from '@temporalio/worker';
import { connectWorker, type TemporalTarget } from '../../workflows/temporal/connection.js';
import { createRapportWorker, type ActivityDeps, type WorkerTracingOptions } from '../../workflows/worker.js';
import type { Cleanups } from './cleanups.js';

/**
 * A worker in this process on the task queue; on stop it drains (no new sends, those in flight
 * finish within the grace), then its connection is closed.
 */
export async function startWorker(
  target: TemporalTarget,
  settings: { taskQueue: string; shutdownGraceSeconds: number; tracing?: WorkerTracingOptions },
  deps: ActivityDeps,
  cleanups: Cleanups,
): Promise<Worker> {
  const connection = await connectWorker(target);
  const worker = await createRapportWorker({
    connection,
    namespace: target.namespace,
    taskQueue: settings.taskQueue,
    shutdownGraceSeconds: settings.shutdownGraceSeconds,
    ...(settings.tracing ? { tracing: settings.tracing } : {}),
    deps,
  });
  const running = worker.run();
  cleanups.defer(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
  });
  return worker;
}
