import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkerInterceptors,
  type WorkerOptions,
  type WorkflowBundleOption,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import { createBroadcastActivities, type BroadcastActivityDeps } from './broadcast/activities.js';
import { createMaintenanceActivities, type MaintenanceActivityDeps } from './maintenance/activities.js';
import { createTouchActivities, type TouchActivityDeps } from './touch/activities.js';

export type ActivityDeps = TouchActivityDeps & {
  /** Alerts need mail, a signing secret and the alert stores; without them this worker runs touches only. */
  broadcast?: BroadcastActivityDeps;
  /** The sweep the schedule runs (workflows/maintenance/); without it this worker leaves the sweep to others. */
  maintenance?: MaintenanceActivityDeps;
};

/** Where `npm run build` writes the workflow bundle, beside the compiled workflows in dist/. */
export const PREBUILT_BUNDLE_FILE = 'workflow-bundle.js';
/** The same workflows with the tracing interceptors bundled in (a worker with tracing on loads it). */
export const PREBUILT_TRACED_BUNDLE_FILE = 'workflow-bundle-traced.js';

/**
 * Tracing for a worker (main/tracing.ts builds it): activity interceptors, the sinks workflow spans
 * leave by, and the workflow interceptor modules bundled with the workflows.
 */
export interface WorkerTracingOptions {
  interceptors: WorkerInterceptors;
  sinks: NonNullable<WorkerOptions['sinks']>;
  workflowModules: string[];
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundled with webpack once per process (per set of interceptor modules); workflow sources are ESM
 * TypeScript importing `./x.js`. Interceptor modules (tracing) are bundled in only when given: a
 * worker without tracing runs the very bundle the replay tests check.
 */
export function bundleWorkflowsFromSource(interceptorModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  const key = interceptorModules.join('\n');
  let bundle = bundles.get(key);
  if (bundle) return bundle;
  bundle = bundleWorkflowCode({
    workflowsPath: workflowsEntry(),
    ...(interceptorModules.length ? { workflowInterceptorModules: interceptorModules } : {}),
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } },
    }),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: console.warn,
      error: console.error,
    },
  });
  bundles.set(key, bundle);
  return bundle;
}

/**
 * The compiled worker (dist/, as the image runs it) loads the bundle the build wrote, so every
 * replica runs the very code CI replayed and starts without webpack; run from source, it bundles here.
 */
export function workflowBundle(interceptorModules: string[] = []): Promise<WorkflowBundleOption> {
  const prebuilt = prebuiltBundlePath(interceptorModules.length > 0);
  return prebuilt ? Promise.resolve({ codePath: prebuilt }) : bundleWorkflowsFromSource(interceptorModules);
}

/** The build's bundle (traced: with the tracing interceptors) when this is compiled code and it is there; undefined from source. */
export function prebuiltBundlePath(traced = false): string | undefined {
  if (existsSync(fileURLToPath(new URL('./index.ts', import.meta.url)))) return undefined;
  const path = fileURLToPath(
    new URL(`./${traced ? PREBUILT_TRACED_BUNDLE_FILE : PREBUILT_BUNDLE_FILE}`, import.meta.url),
  );
  return existsSync(path) ? path : undefined;
}

/** index.ts from source; index.js in the compiled dist/ (npm run build). */
function workflowsEntry(): string {
  const source = fileURLToPath(new URL('./index.ts', import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL('./', import.meta.url));
}

export interface RapportWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  logger?: Logger;
  maxConcurrentActivities?: number;
  /**
   * How long a shutdown waits for the activities in flight (WORKER_SHUTDOWN_GRACE_SECONDS): dispatch
   * stops claiming rows at once and finishes the sends it started.
   */
  shutdownGraceSeconds: number;
  /** A workflow bundle built ahead of time; unset: bundled in this process (once). */
  workflowBundlePath?: string;
  /** Traces of workflows and activities (OTEL_EXPORTER_OTLP_ENDPOINT); unset: off, nothing added. */
  tracing?: WorkerTracingOptions;
}

/** After the grace, activities are cancelled; a worker still not done this much later is stopped with an error. */
const FORCE_AFTER_GRACE_SECONDS = 10;

/**
 * The worker of every Rapport process. Its shutdown() (called by the SDK on SIGTERM or SIGINT, or
 * by the process that owns it) first tells dispatch to claim no more rows, then stops polling; the
 * worker finishes once the activities in flight are done, or cancels them after the grace.
 */
export async function createRapportWorker(options: RapportWorkerOptions): Promise<Worker> {
  const grace = options.shutdownGraceSeconds;
  const draining = new AbortController();
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowBundle: await workflowBundle(options.tracing?.workflowModules) }),
    ...(options.tracing ? { interceptors: options.tracing.interceptors, sinks: options.tracing.sinks } : {}),
    activities: {
      ...createTouchActivities(options.deps),
      ...(options.deps.broadcast
        ? createBroadcastActivities(options.deps.broadcast, { draining: draining.signal })
        : {}),
      ...(options.deps.maintenance ? createMaintenanceActivities(options.deps.maintenance) : {}),
    },
    // Activities mostly wait on the CRM; many in flight is what lets batches fill.
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 500,
    maxConcurrentWorkflowTaskExecutions: 100,
    shutdownGraceTime: `${grace} seconds`,
    shutdownForceTime: `${grace + FORCE_AFTER_GRACE_SECONDS} seconds`,
  });
  // The SDK's own signal handling calls worker.shutdown() through the instance, so this is the one
  // place every way of stopping passes: draining starts in the same turn as the shutdown.
  const shutdown = worker.shutdown.bind(worker);
  worker.shutdown = () => {
    draining.abort();
    shutdown();
  };
  return worker;
}
