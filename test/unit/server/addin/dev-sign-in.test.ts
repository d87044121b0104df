import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../../config/env.js';
import { createAddinRoutes } from '../../../../server/addin/routes.js';

/**
 * The add-in's development sign-in hands a token to whoever asks: on by default where only this
 * machine can ask (HOST and PUBLIC_URL on loopback, no Entra sign-in), so the pane `npm start`
 * prints works for someone trying Rapport; refused everywhere else.
 */
async function pane(vars: Record<string, string>) {
  const unused = {} as never;
  const routes = await createAddinRoutes({
    env: loadEnv(vars),
    logger: pino({ level: 'silent' }),
    context: unused,
    intake: unused,
    touches: unused,
  });
  const config = (await (await routes.request('/addin/config.json')).json()) as {
    auth: string;
    devUser: string | null;
  };
  return { routes, config };
}

const refusal = (vars: Record<string, string>) => {
  try {
    loadEnv(vars);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.find((p) => p.variable === 'ADDIN_DEV_AUTH')?.problem ?? null;
  }
};

describe('the development sign-in', () => {
  it('is on by default on loopback: the pane signs in as the development user under its banner', async () => {
    const { routes, config } = await pane({});
    expect(config).toMatchObject({ auth: 'dev', devUser: 'dev.rep@rapport.example' });
    const minted = await routes.request('/api/addin/dev-token', { method: 'POST' });
    expect(minted.status).toBe(200);
    const { token } = (await minted.json()) as { token: string };
    const me = await routes.request('/api/addin/me', { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { user: { email: string; dev: boolean } }).user).toMatchObject({
      email: 'dev.rep@rapport.example',
      dev: true,
    });
  });

  it('answers only requests addressed to loopback (a proxy on this machine forwarding others)', async () => {
    const { routes } = await pane({});
    const res = await routes.request('http://rapport.example.com/api/addin/dev-token', { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it.each([
    ['listening on every interface', { HOST: '0.0.0.0' }],
    ['reached at a public URL', { PUBLIC_URL: 'https://rapport.example.com' }],
    [
      'with Entra sign-in configured',
      { AAD_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AAD_CLIENT_ID: '0b6e2d2a-4f8c-4a55-9d8a-3b1f5c7e9a10' },
    ],
    ['turned off', { ADDIN_DEV_AUTH: 'false' }],
  ])('is off by default %s', async (_name, vars) => {
    const { routes, config } = await pane(vars);
    expect(config.devUser).toBeNull();
    expect((await routes.request('/api/addin/dev-token', { method: 'POST' })).status).toBe(404);
  });

  it.each([
    ['on every interface', { HOST: '0.0.0.0' }],
    ['on a LAN address', { HOST: '192.168.1.20' }],
    ['at a public URL', { PUBLIC_URL: 'https://rapport.example.com' }],
    ['in production', { NODE_ENV: 'production', API_TOKENS: 'x'.repeat(30) }],
  ])('ADDIN_DEV_AUTH=true is refused %s, naming the variable', (_name, vars) => {
    expect(refusal({ ADDIN_DEV_AUTH: 'true', ...vars })).toMatch(/development sign-in/);
  });

  it('ADDIN_DEV_AUTH=true on loopback works beside Entra sign-in', async () => {
    expect(refusal({ ADDIN_DEV_AUTH: 'true', HOST: '::1', PUBLIC_URL: 'http://localhost:3000' })).toBeNull();
    const { config } = await pane({
      ADDIN_DEV_AUTH: 'true',
      AAD_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      AAD_CLIENT_ID: '0b6e2d2a-4f8c-4a55-9d8a-3b1f5c7e9a10',
    });
    expect(config).toMatchObject({ auth: 'entra', devUser: 'dev.rep@rapport.example' });
  });
});
