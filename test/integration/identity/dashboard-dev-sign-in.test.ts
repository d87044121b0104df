import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../../config/env.js';
import { createLogger } from '../../../main/logger.js';
import { Cleanups } from '../../../main/steps/cleanups.js';
import { startDashboardSignIn, type DashboardSignIn } from '../../../main/steps/dashboard-sign-in.js';
import { startPeopleSignIn, type PeopleSignIn } from '../../../main/steps/people-sign-in.js';
import { createTokenVerifier, peopleIssuer } from '../../../server/addin/auth.js';
import type { DashboardEnv } from '../../../server/dashboard/auth-seam.js';
import { createPeopleDirectory } from '../../../services/people.js';
import { createPeopleStore } from '../../../store/people.js';
import type { Db } from '../../../store/db.js';
import { reserveLoopbackUrl, signInWithFetch } from '../../../testkit/dashboard-sign-in.js';
import { personToken } from '../../../testkit/oidc-issuer.js';
import { testDb } from '../../../testkit/db.js';

/**
 * `npm start` in development with no identity provider configured: the start-up steps run the
 * local OpenID Connect provider, register the dashboard there, and a new user signs in to the
 * dashboard (and gets an API token) as any email, the same person on both.
 */
let db: Db;
let cleanups: Cleanups;
let server: ServerType;
let publicUrl: string;
let signIn: PeopleSignIn;
let dashboard: DashboardSignIn;

beforeAll(async () => {
  db = await testDb();
  cleanups = new Cleanups(() => undefined);
  publicUrl = await reserveLoopbackUrl();
  const env = loadEnv({ NODE_ENV: 'development', HOST: '127.0.0.1', PUBLIC_URL: publicUrl });
  signIn = await startPeopleSignIn(env, cleanups);
  const people = createPeopleDirectory(createPeopleStore(db));
  dashboard = (await startDashboardSignIn(env, signIn, {
    people,
    secret: 'dev-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    publicUrl,
    logger: createLogger('silent'),
  }))!;
  const app = new Hono<DashboardEnv>();
  app.mount('/dashboard/auth', (request) => dashboard.auth.routes.fetch(request));
  app.get('/dashboard/who', dashboard.auth.require, (c) => c.json(c.var.viewer));
  server = await new Promise<ServerType>((done) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(new URL(publicUrl).port) }, () => done(s));
  });
});

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await cleanups?.run();
  await db?.close();
});

describe('npm start: dashboard sign-in at the local provider', () => {
  it('is on, at the local provider, with no variable set', () => {
    expect(signIn.local).toBeDefined();
    expect(dashboard).toMatchObject({ local: true, issuer: signIn.local!.url });
    expect(dashboard.signInUrl).toBe(`${publicUrl}/dashboard/auth/sign-in`);
  });

  it('signs a new user in as any email; the API token of that email is the same person', async () => {
    const email = 'newcomer@rapport.example';
    const signed = await signInWithFetch({ baseUrl: publicUrl, issuer: signIn.local!.issuer, email });
    const who = (await (await fetch(`${publicUrl}/dashboard/who`, { headers: { cookie: signed.cookie } })).json()) as {
      person: { id: string; email: string };
    };
    expect(who.person).toMatchObject({ id: signed.person.id, email });

    // What the start-up banner's scripts/person-token.ts does, verified as the API verifies it.
    const token = await personToken({ issuer: signIn.local!.url, clientId: signIn.local!.clientId, email });
    const verify = createTokenVerifier([peopleIssuer(signIn.env)!]);
    const user = await verify(token);
    const person = await createPeopleDirectory(createPeopleStore(db)).fromToken({
      objectId: user.objectId!,
      email: user.email,
      name: user.name,
    });
    expect(person.id).toBe(signed.person.id);
  });

  it('is off outside development on loopback without DASHBOARD_CLIENT_ID', async () => {
    const env = loadEnv({ NODE_ENV: 'production', API_TOKENS: 'a-production-token-0123456789' });
    const off = await startPeopleSignIn(env, cleanups);
    expect(off.local).toBeUndefined();
    expect(
      await startDashboardSignIn(env, off, {
        people: createPeopleDirectory(createPeopleStore(db)),
        secret: 'x'.repeat(32),
        publicUrl: 'https://rapport.example.com',
        logger: createLogger('silent'),
      }),
    ).toBeUndefined();
  });
});
