import { Worker } from 'node:worker_threads';

/** A worker thread running a TypeScript module: tsx's loader, registered there before it loads. */
export function typeScriptWorker(entry: URL, workerData: unknown): Worker {
  return new Worker(
    `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry.href)});`,
    { eval: true, workerData },
  );
}

/** Request/answer over a worker's message port. */
export function rpc(worker: Worker) {
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  worker.on('message', (message: { id?: number; result?: unknown }) => {
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  return <T>(request: unknown) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (result: unknown) => void);
      worker.postMessage({ id, request });
    });
}
