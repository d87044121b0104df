import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { App, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import { register as registerActions } from './actions/index.js';
import { createAfterAck } from './after-ack.js';
import { createAlertFace } from './alert-face.js';
import { homeRefresher } from './home.js';
import { traceSlackClient } from './traced-client.js';
import { listenerSpans } from './listener-spans.js';
import { NO_TRACING } from '../lib/tracing.js';
import { FOLLOW_UP_HANDLERS } from './follow-up-handlers.js';
import { followUpRecovery } from './follow-ups.js';
import { register as registerCommands } from './commands/index.js';
import { botAuthorization } from './authorize.js';
import type { SlackDeps } from './deps.js';
import { register as registerEvents } from './events/index.js';
import { register as registerOptions } from './options/index.js';
import { HonoReceiver, type EventClaims } from './receiver.js';
import type { SingletonJob } from '../services/singleton-jobs.js';
import { register as registerShortcuts } from './shortcuts/index.js';
import { register as registerViews } from './views/index.js';

export type { SlackDeps } from './deps.js';
export { recentTouchesFrom } from './home-data.js';

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  /** xapp- token: Socket Mode instead of the HTTP endpoint. */
  appToken?: string;
  /** Web API base (the local stand-in); Slack's own when unset. */
  apiUrl?: string;
}

/** The Slack settings when the surface is on, or the one-line reason it is off. */
export function slackSettingsFromEnv(env: {
  SLACK_BOT_TOKEN?: string;
  SLACK_SIGNING_SECRET?: string;
  SLACK_APP_TOKEN?: string;
  SLACK_API_URL?: string;
}): { settings: SlackSettings } | { off: string } {
  if (!env.SLACK_BOT_TOKEN || !env.SLACK_SIGNING_SECRET) {
    const missing = [!env.SLACK_BOT_TOKEN && 'SLACK_BOT_TOKEN', !env.SLACK_SIGNING_SECRET && 'SLACK_SIGNING_SECRET']
      .filter(Boolean)
      .join(' and ');
    return { off: `Slack is off: set ${missing} to turn it on (see docs/SLACK.md)` };
  }
  return {
    settings: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
    },
  };
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** For hono: POST /slack/events (HTTP mode; in Socket Mode it answers 404). */
  handle(request: Request): Promise<Response>;
  /**
   * Work that one process of the deployment does for all (main/ runs each under a lease):
   * `slack-alert-messages` keeps alert messages in step, `slack-follow-ups` resumes follow-ups
   * whose process died.
   */
  jobs: Record<string, SingletonJob>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Bolt with Rapport's listeners, on an HTTP receiver for hono, or on Socket Mode with an app token. */
export function createSlackApp(settings: SlackSettings, given: SlackDeps): SlackApp {
  const logger = boltLogger(given.logger);
  const apiUrl = settings.apiUrl ?? 'https://slack.com/api/';
  const clientOptions = {
    // Keep-alive: every modal, card and Home is a Web API call; without it each one is a new
    // connection (and TLS handshake) on the event loop that also answers Slack's requests.
    agent: apiUrl.startsWith('http:')
      ? new HttpAgent({ keepAlive: true, maxSockets: 64 })
      : new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    ...(settings.apiUrl
      ? { slackApiUrl: settings.apiUrl.endsWith('/') ? settings.apiUrl : `${settings.apiUrl}/` }
      : {}),
    // A user is waiting: a few quick retries, not Slack's default half hour.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    timeout: 10_000,
  };
  // Alert messages and resumed follow-ups run outside any request: a client with the bot token.
  const botClient = traceSlackClient(
    new webApi.WebClient(settings.botToken, { ...clientOptions, logger }),
    given.tracing ?? NO_TRACING,
  );
  // Set below, once deps exist: an alert's change republishes its people's App Homes (their live summary).
  const homes: { stale?: (users: string[]) => void } = {};
  const alertFace = given.alerts
    ? createAlertFace(
        given.alerts,
        botClient,
        given.logger.child({ component: 'slack-alerts' }),
        given.crmContactUrl,
        (users) => homes.stale?.(users),
      )
    : undefined;
  const afterAck = given.afterAck ?? createAfterAck(given.logger);
  const deps: SlackDeps = { ...given, alertFace, afterAck };
  if (given.alerts?.summary) homes.stale = homeRefresher(botClient, deps);
  const socket = Boolean(settings.appToken);
  const claims = given.claims;
  const events = claims?.events;
  const eventClaims: EventClaims | undefined = events && {
    claim: (eventId, staleMs) => events.claim(eventId, claims.holder, staleMs),
    answered: (eventId) => events.answered(eventId, claims.holder),
    release: (eventId) => events.release(eventId, claims.holder),
  };
  const receiver = socket
    ? undefined
    : new HonoReceiver({
        signingSecret: settings.signingSecret,
        logger: deps.logger,
        inFlight: afterAck,
        ...(eventClaims ? { eventClaims } : {}),
        ...(given.metrics ? { metrics: given.metrics } : {}),
      });
  const jobs: Record<string, SingletonJob> = {};
  if (alertFace) jobs['slack-alert-messages'] = alertFace;
  if (claims) jobs['slack-follow-ups'] = followUpRecovery(deps, botClient, FOLLOW_UP_HANDLERS);
  const app = new App({
    // The bot's identity (auth.test) is asked on the first request, not at start-up (a Slack
    // hiccup must not stop Rapport), and then kept: never again on the way to ack().
    authorize: botAuthorization(settings.botToken, new webApi.WebClient(undefined, { ...clientOptions, logger })),
    logger,
    clientOptions,
    ...(socket ? { socketMode: true, appToken: settings.appToken } : { receiver }),
  });
  app.error(async (error) => {
    deps.logger.error({ err: error }, 'slack listener error');
  });

  // First of the global middleware: the span covers every listener and what it calls.
  app.use(listenerSpans(given.tracing ?? NO_TRACING, socket ? 'socket' : 'http'));
  registerCommands(app, deps);
  registerShortcuts(app, deps);
  registerOptions(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);

  return {
    app,
    mode: socket ? 'socket' : 'http',
    handle: (request) =>
      receiver ? receiver.handle(request) : Promise.resolve(new Response('Slack runs in Socket Mode', { status: 404 })),
    jobs,
    start: async () => {
      if (socket) await app.start();
    },
    stop: async () => {
      await Promise.all(Object.values(jobs).map((job) => job.stop()));
      // Follow-ups still running use the store and the CRM: let them end, within reason.
      await Promise.race([afterAck.drained(), new Promise((r) => setTimeout(r, 5000).unref())]);
      await app.stop().catch(() => undefined);
    },
  };
}
