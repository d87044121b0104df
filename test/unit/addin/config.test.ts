import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6e2d2a-4f8c-4a55-9d8a-3b1f5c7e9a10';

describe('add-in configuration', () => {
  it('is off by default: no Entra, no development sign-in', () => {
    const env = loadEnv({});
    expect(env.ADDIN_DEV_AUTH).toBe(false);
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
