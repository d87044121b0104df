import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/logger.js';
import { temporalLogger } from '../../../main/temporal-logger.js';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('trace', 'test', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
};

describe("the Temporal SDK's lines through Rapport's logger", () => {
  it('keeps ids and scalars, serialises the error as Rapport does, drops payloads', () => {
    const { lines, logger } = capture();
    const dbError = Object.assign(new Error('new row violates check constraint "c"'), {
      code: '23514',
      constraint: 'c',
      detail: 'Failing row contains (CUSTOMER-TEXT)',
      severity: 'ERROR',
      routine: 'ExecConstraints',
    });
    temporalLogger(logger).warn('Activity failed', {
      sdkComponent: 'worker',
      workflowId: 'tch_1',
      attempt: 3,
      error: dbError,
      failure: { message: 'x', encodedAttributes: { data: 'CUSTOMER-TEXT' } },
      args: ['CUSTOMER-TEXT'],
      [Symbol('ts')]: 1n,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      component: 'temporal',
      msg: 'Activity failed',
      workflowId: 'tch_1',
      attempt: 3,
      err: { code: '23514', constraint: 'c' },
    });
    expect(JSON.stringify(lines[0])).not.toContain('CUSTOMER-TEXT');
  });

  it('drops lines below its minimum level', () => {
    const { lines, logger } = capture();
    const log = temporalLogger(logger, 'WARN');
    log.info('Worker state changed');
    log.log('DEBUG', 'noise');
    log.error('Worker failed');
    expect(lines.map((l) => l.msg)).toEqual(['Worker failed']);
  });
});
