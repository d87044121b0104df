import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';

function problems(env: Record<string, string>) {
  try {
    loadEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs on embedded defaults with no variables at all', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.HUBSPOT_ACCESS_TOKEN).toBeUndefined();
    expect(env.HUBSPOT_RATE_LIMIT).toBe(100);
    expect(env.HUBSPOT_INTERACTIVE_RESERVE).toBe(0.2);
    expect(env.WORKER_IN_PROCESS).toBe(true);
  });

  it('treats empty strings as unset, as .env files write them', () => {
    expect(loadEnv({ TEMPORAL_ADDRESS: '', DATABASE_URL: ' ' }).TEMPORAL_ADDRESS).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'http://localhost'],
    ['DATABASE_URL', 'not a url'],
    ['HUBSPOT_RATE_LIMIT', '0'],
    ['HUBSPOT_INTERACTIVE_RESERVE', '1'],
    ['HUBSPOT_INTERACTIVE_RESERVE', 'a fifth'],
    ['HUBSPOT_BASE_PATH', 'api.hubapi.com'],
    ['WORKER_IN_PROCESS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['API_TOKENS', 'short'],
    ['PUBLIC_URL', 'example.com'],
    ['CRM_TEAM_QUEUE_OWNER', 'the crm team'],
  ])('names %s when it is %j', (variable, value) => {
    const error = problems({ [variable]: value });
    expect(error.problems.map((p) => p.variable)).toEqual([variable]);
    expect(error.message).toContain(variable);
  });

  it('never echoes the value of a bad secret', () => {
    const error = problems({ HUBSPOT_ACCESS_TOKEN: 'pat-x', API_TOKENS: 'super-secret-but-short' });
    expect(error.message).not.toContain('pat-x');
    expect(error.message).not.toContain('super-secret-but-short');
    expect(error.problems.map((p) => p.variable).sort()).toEqual(['API_TOKENS', 'HUBSPOT_ACCESS_TOKEN']);
  });

  it('asks for both halves of an mTLS pair', () => {
    const error = problems({ TEMPORAL_TLS_CERT_PATH: '/etc/client.pem' });
    expect(error.problems[0]?.variable).toBe('TEMPORAL_TLS_KEY_PATH');
  });

  it('requires API tokens in production', () => {
    expect(problems({ NODE_ENV: 'production' }).problems[0]?.variable).toBe('API_TOKENS');
  });

  it('parses Temporal Cloud settings', () => {
    const env = loadEnv({
      TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
      TEMPORAL_API_KEY: 'key-123456789',
      API_TOKENS: 'aaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    });
    expect(env.TEMPORAL_ADDRESS).toBe('my-ns.a1b2c.tmprl.cloud:7233');
    expect(env.API_TOKENS).toHaveLength(2);
  });
});

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6e2d2a-4f8c-4a55-9d8a-3b1f5c7e9a10';

describe('add-in configuration', () => {
  it('by default: no Entra; the development sign-in decided by where the server listens (devSignInOn)', () => {
    const env = loadEnv({});
    expect(env.ADDIN_DEV_AUTH).toBeUndefined();
    expect(env.AAD_TENANT_ID).toBeUndefined();
  });

  it('parses the add-in variables', () => {
    const env = loadEnv({
      ADDIN_ORIGIN: 'https://rapport.example.com/',
      AAD_TENANT_ID: TENANT,
      AAD_CLIENT_ID: CLIENT,
      AAD_AUDIENCE: `${CLIENT}, api://rapport.example.com/${CLIENT}`,
      ADDIN_INTERNAL_DOMAINS: 'Contoso.com, contoso.co.uk',
    });
    expect(env.ADDIN_ORIGIN).toBe('https://rapport.example.com');
    expect(env.AAD_AUDIENCE).toEqual([CLIENT, `api://rapport.example.com/${CLIENT}`]);
    expect(env.ADDIN_INTERNAL_DOMAINS).toEqual(['contoso.com', 'contoso.co.uk']);
  });

  it.each([
    [{ ADDIN_ORIGIN: 'http://rapport.example.com' }, 'ADDIN_ORIGIN'],
    [{ ADDIN_ORIGIN: 'https://rapport.example.com/addin' }, 'ADDIN_ORIGIN'],
    [{ AAD_TENANT_ID: 'contoso' }, 'AAD_TENANT_ID'],
    [{ AAD_TENANT_ID: TENANT }, 'AAD_CLIENT_ID'],
    [{ ADDIN_DEV_AUTH: 'true', NODE_ENV: 'production', API_TOKENS: 'x'.repeat(30) }, 'ADDIN_DEV_AUTH'],
    [{ DASHBOARD_CLIENT_ID: 'dash', NODE_ENV: 'production', API_TOKENS: 'x'.repeat(30) }, 'DASHBOARD_CLIENT_ID'],
    [{ DASHBOARD_CLIENT_ID: 'dash', DASHBOARD_CLIENT_SECRET: 'short' }, 'DASHBOARD_CLIENT_SECRET'],
  ])('refuses %o naming %s', (source, variable) => {
    try {
      loadEnv(source);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toContain(variable);
    }
  });
});
