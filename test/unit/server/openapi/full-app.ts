import pino from 'pino';
import { createAddinRoutes } from '../../../../server/addin/routes.js';
import { createApp, type AppDeps } from '../../../../server/app.js';

/**
 * The HTTP app with every optional face mounted (broadcast, SMS, Slack, the add-in with
 * approvals) over services that are never called: for tests of its routes and document.
 */
export async function fullApp(overrides: Partial<AppDeps> = {}) {
  const unused = {} as never;
  const logger = pino({ level: 'silent' });
  return createApp({
    logger,
    apiTokens: ['unit-test-token'],
    intake: unused,
    touches: unused,
    context: unused,
    readiness: {},
    status: unused,
    broadcast: {
      alertIntake: unused,
      alerts: unused,
      deliveries: unused,
      approvals: unused,
      responses: unused,
      trail: unused,
      secret: 's',
    },
    topics: { topics: unused, isAdmin: async () => false },
    smsInbound: { authToken: 'twilio-token', publicUrl: 'http://localhost:3000' },
    slack: { handle: async () => new Response('', { status: 200 }) },
    addin: await createAddinRoutes({
      env: { ADDIN_DEV_AUTH: true, NODE_ENV: 'test', HOST: '127.0.0.1' } as never,
      logger,
      context: unused,
      intake: unused,
      touches: unused,
      approvals: { alerts: unused, intake: unused, groups: unused },
      summary: unused,
    }),
    ...overrides,
  });
}
