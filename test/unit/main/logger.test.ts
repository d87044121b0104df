import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/logger.js';

/** A database error as node-postgres and PGlite throw them: the values ride along in several fields. */
function dbError(code: string, message: string) {
  return Object.assign(new Error(message), {
    name: 'error',
    code,
    severity: 'ERROR',
    table: 'touches',
    constraint: 'some_check',
    detail: 'Failing row contains (tch_1, CUSTMARK-detail).',
    where: "unnamed portal parameter $1 = 'CUSTMARK-where'",
    query: 'insert into touches (id, summary) values ($1, $2)',
    params: ['tch_1', 'CUSTMARK-param'],
  });
}

function logged(fields: Record<string, unknown>): string {
  const lines: string[] = [];
  createLogger('trace', 'test', { write: (l: string) => void lines.push(l) }).error(fields, 'unhandled error');
  return lines.join('');
}

describe('errors in the log', () => {
  it('a database error keeps its code and place, never its parameters, detail or the values it quotes', () => {
    const line = logged({ err: dbError('22P02', 'invalid input syntax for type integer: "CUSTMARK-value"') });
    expect(line).not.toContain('CUSTMARK');
    const { err } = JSON.parse(line) as { err: Record<string, unknown> };
    expect(err).toMatchObject({
      type: 'DatabaseError',
      code: '22P02',
      table: 'touches',
      constraint: 'some_check',
      message: 'invalid input syntax for type integer: "…"',
      query: 'insert into touches (id, summary) values ($1, $2)',
    });
  });

  it('also when it is the cause of another error', () => {
    const wrapped = new Error('the store failed', { cause: dbError('23505', 'duplicate key value "CUSTMARK-key"') });
    const line = logged({ err: wrapped });
    expect(line).not.toContain('CUSTMARK');
    expect(JSON.parse(line)).toMatchObject({ err: { message: 'the store failed', cause: { code: '23505' } } });
  });

  it('other errors are logged as pino always did', () => {
    const line = logged({ err: new TypeError('not a database error') });
    expect(JSON.parse(line)).toMatchObject({ err: { type: 'TypeError', message: 'not a database error' } });
  });
});
