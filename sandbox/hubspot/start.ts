import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createSandboxApp } from './app.js';
import type { SandboxContext, SandboxRequest } from './context.js';
import { Faults, type FaultController } from './faults.js';
import { Realism, UpdateLag, type RealismController, type RealismSpec } from './realism.js';
import { NO_PERSISTENCE, createPersistence } from './persistence.js';
import { DailyCounter, PeakWindow, RollingWindow } from './rate-limits.js';
import type { ObjectType } from './object-types.js';
import { createAccess, type SandboxAccess } from './access.js';
import { seedState } from './seed/seed.js';
import { SandboxState, type CrmRecord } from './state.js';
import { emptyStats, type SandboxStats } from './stats.js';

export interface HubSpotSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where hubspot-sandbox.json lives; in memory only when absent. */
  dataDir?: string;
  /** Fill an empty sandbox with the demo book of business. */
  seed?: boolean;
  /** When set, every API call must carry `Authorization: Bearer <accessToken>`. */
  accessToken?: string;
  rateLimit?: {
    perTenSeconds?: number;
    searchPerSecond?: number;
    daily?: number;
    /** Budget 429s carry Retry-After (default true); false: none, as HubSpot sometimes answers. */
    retryAfter?: boolean;
  };
  /** Keep every API request (time, route, status) for requests(): tests of who was served when. */
  logRequests?: boolean;
  /**
   * How long a created or updated record stays invisible (or stale) to search, as HubSpot's index
   * trails writes. Default DEFAULT_SEARCH_LAG_MS (250 ms); same as realism.searchLagMs.
   */
  searchLagMs?: number;
  /** The token's scopes: a call needing one it lacks gets 403 MISSING_SCOPES. Default: every scope. */
  scopes?: readonly string[];
  /** Membership pages carry opaque, signed `after` cursors as HubSpot's do (default true); false: offsets. */
  opaqueCursors?: boolean;
  /** Start-up realism switches (realism.ts): search lag, 207 partial creates, lost create answers, refused custom properties. */
  realism?: RealismSpec;
}

export interface HubSpotSandbox {
  url: string;
  port: number;
  faults: FaultController;
  /** Standing realism switches; reset() returns them to the start-up settings. */
  realism: RealismController;
  stats(): SandboxStats;
  /** Back to the seeded (or empty) state; stats, faults and rate windows are cleared too. */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** Read-only peek at stored records, for assertions. */
  records(type: ObjectType): CrmRecord[];
  /** The live state, for benchmarks and tests that seed large data directly (not through the rate-limited API). */
  state(): SandboxState;
  /** Changes the per-10-second request budget from now on (benchmarks: generous for set-up, HubSpot's for the measure). */
  setRateLimit(perTenSeconds: number): void;
  /** Every API request so far, oldest first (logRequests), else empty. */
  requests(): SandboxRequest[];
  /** The live access switches (scopes, opaque cursors): tests change them between calls. */
  access: SandboxAccess;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const host = options.host ?? '127.0.0.1';
  const persistence = options.dataDir
    ? createPersistence(resolve(options.dataDir, 'hubspot-sandbox.json'))
    : NO_PERSISTENCE;
  const fresh = () => (options.seed ? seedState() : new SandboxState());
  const initial = persistence.load();
  const ctx: SandboxContext = {
    state: initial ?? fresh(),
    stats: emptyStats(),
    now: Date.now,
    access: createAccess(options),
    realism: new Realism({
      ...options.realism,
      ...(options.searchLagMs !== undefined ? { searchLagMs: options.searchLagMs } : {}),
    }),
    updateLag: new UpdateLag(),
    changed: () => persistence.schedule(ctx.state),
    ...(options.logRequests ? { requestLog: [] } : {}),
  };
  if (!initial) ctx.changed();

  const limits = {
    standard: new RollingWindow(options.rateLimit?.perTenSeconds ?? 100, 10_000),
    search: new RollingWindow(options.rateLimit?.searchPerSecond ?? 5, 1_000),
    daily: new DailyCounter(options.rateLimit?.daily ?? 250_000),
    served: new PeakWindow(10_000),
    retryAfter: options.rateLimit?.retryAfter ?? true,
  };

  let port = 0;
  let refusing = false;
  let closed = false;
  let relistenTimer: NodeJS.Timeout | undefined;

  const stopListening = () => {
    server.close();
    server.closeAllConnections();
  };
  const startListening = () => {
    if (closed) return;
    listen(server, port, host).catch((error: Error) =>
      console.error(`[hubspot-sandbox] cannot listen again on ${port}: ${error.message}`),
    );
  };
  const faults = new Faults((refuse, durationMs) => {
    clearTimeout(relistenTimer);
    if (refuse && !refusing) {
      refusing = true;
      stopListening();
    } else if (!refuse && refusing) {
      refusing = false;
      startListening();
    }
    if (refuse && durationMs) {
      relistenTimer = setTimeout(() => faults.clear(), durationMs);
      relistenTimer.unref();
    }
  });

  const reset = async () => {
    ctx.state = fresh();
    ctx.stats = emptyStats();
    faults.clear();
    ctx.realism.reset();
    ctx.updateLag.clear();
    limits.standard.reset();
    limits.search.reset();
    limits.daily.reset();
    limits.served.reset();
    if (ctx.requestLog) ctx.requestLog = [];
    Object.assign(ctx.access, createAccess(options));
    ctx.changed();
  };

  const app = createSandboxApp({ ctx, faults, limits, accessToken: options.accessToken, reset });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Keep-alive sockets would outlive close() and keep the process (and tests) waiting.
  server.keepAliveTimeout = 2_000;
  await listen(server, options.port ?? 0, host);
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    realism: ctx.realism,
    stats: () => structuredClone(ctx.stats),
    reset,
    records: (type) => [...ctx.state.table(type).values()].filter((r) => !r.archived),
    state: () => ctx.state,
    setRateLimit: (perTenSeconds) => {
      limits.standard.max = perTenSeconds;
      limits.standard.reset();
    },
    requests: () => [...(ctx.requestLog ?? [])],
    access: ctx.access,
    close: async () => {
      closed = true;
      clearTimeout(relistenTimer);
      persistence.flush();
      if (refusing) return;
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}
