export interface SandboxStats {
  /** API requests received (the /__sandbox endpoints are not counted). */
  requests: number;
  /**
   * The most API requests received in any rolling 10 s (HubSpot's budget window), answered or
   * refused: what all the clients together asked of the portal at their busiest.
   */
  busiestTenSeconds: number;
  /** Per `METHOD /path` with record ids replaced by :id. */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** 429 answers sent, whatever the reason (budget, search limit, injected fault). */
  rateLimited: number;
  rateLimitedByPolicy: Record<string, number>;
  /**
   * The most API requests the sandbox served (not answered 429) in any rolling 10 s, searches
   * included: what the portal's budget must hold, whoever sent them.
   */
  peakPerTenSeconds: number;
  faultsInjected: number;
  engagementsCreated: number;
  engagementsCreatedByType: Record<string, number>;
  startedAt: string;
}

export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    busiestTenSeconds: 0,
    byRoute: {},
    byStatus: {},
    rateLimited: 0,
    rateLimitedByPolicy: {},
    peakPerTenSeconds: 0,
    faultsInjected: 0,
    engagementsCreated: 0,
    engagementsCreatedByType: {},
    startedAt: new Date().toISOString(),
  };
}

export function routeKey(method: string, path: string): string {
  const normalised = path
    .replace(/(.)\/+$/, '$1')
    .split('/')
    .map((segment) => (/^\d+$/.test(segment) || segment.includes('@') || segment.includes('%40') ? ':id' : segment))
    .join('/');
  return `${method} ${normalised}`;
}

export function bump(map: Record<string, number>, key: string, by = 1) {
  map[key] = (map[key] ?? 0) + by;
}

/** Feeds SandboxStats.busiestTenSeconds: request times of the last window, and the peak so far. */
export class BusiestWindow {
  private hits: number[] = [];
  private start = 0;

  constructor(readonly windowMs: number) {}

  /** Counts a request at `now`; answers how many arrived in the window ending at it. */
  add(now: number): number {
    this.hits.push(now);
    while (this.hits[this.start]! <= now - this.windowMs) this.start++;
    if (this.start > 1024) {
      this.hits = this.hits.slice(this.start);
      this.start = 0;
    }
    return this.hits.length - this.start;
  }

  reset() {
    this.hits = [];
    this.start = 0;
  }
}
