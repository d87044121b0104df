import type { Logger } from 'pino';
import { loggablePath } from './middleware/request-log.js';

export type LinkSurface = 'approval' | 'response' | 'unsubscribe' | 'trail' | 'preferences';

export interface ForgedLinks {
  /** A link whose MAC is not Rapport's: counted, and now and then written to the log. */
  refused(surface: LinkSurface, path: string, log: Logger): void;
  /** Forged links refused since the process started. */
  total(): number;
}

/**
 * Forged links (a MAC Rapport never made) are counted, not audited: anyone can send them, so
 * an audit row each would let anyone grow the database without bound. The first refusal of each
 * interval is logged, with how many there were since the last line: an operator sees that links
 * are being guessed, and how hard, in a bounded number of lines. Links Rapport did sign (used,
 * expired, someone else's) are still audited by their routes: only Rapport can make those.
 */
export function forgedLinks(options: { intervalMs?: number; now?: () => number } = {}): ForgedLinks {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let total = 0;
  let sinceLastLine = 0;
  let lastLineAt = -Infinity;
  return {
    refused(surface, path, log) {
      total += 1;
      sinceLastLine += 1;
      if (now() - lastLineAt < intervalMs) return;
      log.warn(
        { surface, path: loggablePath(path), forgedLinks: sinceLastLine, forgedLinksTotal: total },
        'forged links refused (sampled: one line per interval, with the count since the last)',
      );
      sinceLastLine = 0;
      lastLineAt = now();
    },
    total: () => total,
  };
}
