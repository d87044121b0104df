import type { Client } from '@temporalio/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { searchAttributesReady } from '../../../main/steps/temporal.js';

/** A client whose server knows these custom attributes, or cannot say. */
const serverWith = (answer: Record<string, number> | Error) =>
  ({
    connection: {
      operatorService: {
        listSearchAttributes: async () => {
          if (answer instanceof Error) throw answer;
          return { customAttributes: answer };
        },
      },
    },
  }) as unknown as Client;

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { lines, logger };
}

describe('searchAttributesReady (start-up check)', () => {
  it('is ready when all three are registered, and says nothing', async () => {
    const { lines, logger } = capture();
    const server = serverWith({ RapportStatus: 2, RapportTopic: 2, RapportRequester: 2, Other: 1 });
    expect(await searchAttributesReady(server, 'default', logger)).toBe(true);
    expect(lines).toEqual([]);
  });

  it('runs without them when one is missing, naming it and how to register it', async () => {
    const { lines, logger } = capture();
    expect(await searchAttributesReady(serverWith({ RapportStatus: 2 }), 'default', logger)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.missing).toEqual(['RapportTopic', 'RapportRequester']);
    expect(String(lines[0]!.msg)).toContain(
      'temporal operator search-attribute create --name RapportTopic --type Keyword',
    );
  });

  it('runs without them when the server does not say (no operator rights, an outage)', async () => {
    const { lines, logger } = capture();
    expect(await searchAttributesReady(serverWith(new Error('PermissionDenied')), 'ns', logger)).toBe(false);
    expect(lines[0]!.err).toBe('PermissionDenied');
  });
});
