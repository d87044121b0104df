import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');
const problemOf = (value: string) => {
  try {
    loadEnv({ API_SERVICE_TOKENS: value });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems[0];
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('API_SERVICE_TOKENS', () => {
  it('names each principal with its scopes; a token is kept only as its digest; two entries of one name rotate', () => {
    const token = 'crm-sync-token-0123456789abcdef';
    const next = 'crm-sync-token-rotated-9876543210';
    const env = loadEnv({
      API_SERVICE_TOKENS: `crm-sync(touches:write, customers:read)=${token}; crm-sync(touches:write,customers:read)=${next};mailer(inbound:write)=sha256:${sha('mailer-token-0123456789abcdef').toUpperCase()}`,
    });
    expect(env.API_SERVICE_TOKENS).toEqual([
      { name: 'crm-sync', scopes: ['touches:write', 'customers:read'], digest: sha(token) },
      { name: 'crm-sync', scopes: ['touches:write', 'customers:read'], digest: sha(next) },
      { name: 'mailer', scopes: ['inbound:write'], digest: sha('mailer-token-0123456789abcdef') },
    ]);
    expect(JSON.stringify(env.API_SERVICE_TOKENS)).not.toContain(token);
  });

  it.each([
    ['an unknown scope, naming it', 'bot(alerts:decide)=abcdefghijklmnopqrstuvwxyz', 'unknown scope alerts:decide'],
    ['a short token', 'bot(alerts:read)=short', 'at least 24 characters'],
    ['no scopes list', 'bot=abcdefghijklmnopqrstuvwxyz', 'expected name(scope,scope)=token'],
    ['a digest that is not SHA-256 hex', 'bot(alerts:read)=sha256:1234', 'at least 24 characters'],
  ])('refuses %s', (_name, value, message) => {
    const problem = problemOf(value);
    expect(problem?.variable).toBe('API_SERVICE_TOKENS');
    expect(problem?.problem).toContain(message);
    expect(problem?.problem).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('is enough for production without API_TOKENS', () => {
    expect(() =>
      loadEnv({ NODE_ENV: 'production', API_SERVICE_TOKENS: 'bot(alerts:read)=abcdefghijklmnopqrstuvwxyz' }),
    ).not.toThrow(ConfigError);
  });
});
