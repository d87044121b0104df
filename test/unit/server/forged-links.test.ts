import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { forgedLinks } from '../../../server/forged-links.js';

describe('forged links in the log', () => {
  it('one line per interval, each with the count since the last, the MAC left out', () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    );
    let now = 0;
    const forged = forgedLinks({ intervalMs: 60_000, now: () => now });
    for (let i = 0; i < 500; i += 1) forged.refused('approval', '/approvals/abcdefgh12.SECRETMAC', log);
    now = 61_000;
    forged.refused('response', '/r/abcdefgh12.SECRETMAC', log);
    expect(lines.map((l) => [l.surface, l.forgedLinks, l.forgedLinksTotal, l.path])).toEqual([
      ['approval', 1, 1, '/approvals/abcdefgh12.<redacted>'],
      ['response', 500, 501, '/r/abcdefgh12.<redacted>'],
    ]);
    expect(forged.total()).toBe(501);
    expect(JSON.stringify(lines)).not.toContain('SECRETMAC');
  });
});
