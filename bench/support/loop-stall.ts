import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `run` and measures the longest stall of this thread's event loop meanwhile, in ms: a
 * blocked loop delays every answer behind it, whatever the handlers themselves cost.
 */
export async function withLoopStall<T>(run: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const result = await run();
  loop.disable();
  return { result, stallMs: loop.max / 1e6 };
}
