import type { Logger } from 'pino';
import { createTopicStore } from '../store/topics.js';
import type { TemporalUi } from '../domain/broadcast/workflow-link.js';
import type { Metrics } from '../lib/metrics.js';
import type { Tracing } from '../lib/tracing.js';
import type { AlertTrail } from '../services/alert-trail.js';
import type { PeopleDirectory } from '../services/people.js';
import type { ContactDirectory } from '../crm/contact-directory.js';
import type { CrmPort } from '../crm/port.js';
import { DEFAULT_QUESTIONS } from '../domain/questions.js';
import type { ContactSearch } from '../services/contacts/contact-search.js';
import type { CustomerContext } from '../services/customer-context.js';
import type { TouchIntake } from '../services/touch-intake.js';
import type { AlertIntake } from '../services/alert-intake.js';
import type { BroadcastServices } from '../services/broadcast-services.js';
import { slackCustomerResponses } from '../services/customer-responses.js';
import { exclusively, type SingletonJob } from '../services/singleton-jobs.js';
import type { Db } from '../store/db.js';
import { createLeaseStore } from '../store/leases.js';
import { createSlackEventClaims, createSlackFollowUpStore } from '../store/slack-claims.js';
import { createSlackMessageStore } from '../store/slack-messages.js';
import type { TouchStore } from '../store/touches.js';
import type { SlackAlertDeps } from './deps.js';
import { recentTouchesFrom } from './home-data.js';
import { createSlackApp, slackSettingsFromEnv, type SlackApp } from './index.js';

export interface SlackFaceEnv {
  SLACK_BOT_TOKEN?: string;
  SLACK_SIGNING_SECRET?: string;
  SLACK_APP_TOKEN?: string;
  SLACK_API_URL?: string;
  SLACK_CRM_CONTACT_URL?: string;
}

export interface SlackFace {
  /** Absent when Slack is off. */
  app?: SlackApp;
  /** One line for the start-up banner: how Slack runs, or why it is off. */
  notice: string;
  /** Work one process of the deployment does for all (SlackApp.jobs); main/ runs each under a lease. */
  jobs: Record<string, SingletonJob>;
  stop(): Promise<void>;
}

/** Where "Open in CRM" links go: the configured template, or the sandbox's record when on the sandbox. */
export function crmContactUrlFrom(template: string | undefined, crmBasePath: string | undefined) {
  if (template) return (id: string) => template.replace('{id}', encodeURIComponent(id));
  if (crmBasePath && !/api\.hubapi\.com/.test(crmBasePath)) {
    const base = crmBasePath.replace(/\/+$/, '');
    return (id: string) => `${base}/crm/v3/objects/contacts/${encodeURIComponent(id)}`;
  }
  return () => undefined;
}

/** The broadcast engine for the Slack face: the same stores and intake the HTTP routes use. */
export function slackAlertDeps(parts: {
  broadcast: Pick<BroadcastServices, 'alerts' | 'deliveries' | 'responses' | 'secret'>;
  alertIntake: AlertIntake;
  db: Pick<Db, 'query'>;
  /** Lists for the alert modal: a person waits. */
  crm: Pick<CrmPort, 'listLists'>;
  /** Names and owners for forwarding customer responses: a background job. */
  backgroundCrm: Pick<CrmPort, 'getContacts' | 'getOwner'>;
  approverGroups: Record<string, string[]>;
  groups?: SlackAlertDeps['groups'];
  /** This process (processHolder()): one alert's messages are updated by one process at a time. */
  holder: string;
  /** TEMPORAL_UI_URL and the namespace: alert messages link to their workflow. */
  temporalUi?: TemporalUi;
  /** Links to alerts' trail pages in the requester's message and the approver DMs. */
  trail?: Pick<AlertTrail, 'pageUrl'>;
  /** App Home's live summary of the person's alerts. */
  summary?: SlackAlertDeps['summary'];
}): SlackAlertDeps {
  const leases = { leases: createLeaseStore(parts.db), holder: parts.holder };
  return {
    exclusive: (name, work) => exclusively(leases, name, work),
    intake: parts.alertIntake,
    alerts: parts.broadcast.alerts,
    deliveries: parts.broadcast.deliveries,
    responses: parts.broadcast.responses,
    messages: createSlackMessageStore(parts.db),
    approverGroups: parts.approverGroups,
    ...(parts.groups ? { groups: parts.groups } : {}),
    ...(parts.temporalUi ? { temporalUi: parts.temporalUi } : {}),
    ...(parts.trail ? { trailUrl: parts.trail.pageUrl } : {}),
    ...(parts.summary ? { summary: parts.summary } : {}),
    recordCustomerResponse: slackCustomerResponses({ ...parts.broadcast, alertIntake: parts.alertIntake }),
    listLists: async () => (await parts.crm.listLists()).map(({ id, name, size }) => ({ id, name, size })),
    listTopics: async () => (await createTopicStore(parts.db).list()).map(({ id, name }) => ({ id, name })),
    contactLabel: async (contactId) => {
      const [contact] = await parts.backgroundCrm.getContacts([contactId]);
      if (!contact) return null;
      const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
      return name && contact.email ? `${name} <${contact.email}>` : name || contact.email;
    },
    ownerEmail: async (contactId) => {
      const [contact] = await parts.backgroundCrm.getContacts([contactId]);
      if (!contact?.ownerId) return null;
      return (await parts.backgroundCrm.getOwner(contact.ownerId))?.email ?? null;
    },
  };
}

/** The Slack face when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; else off, with one clear notice. */
export async function startSlackFace(
  env: SlackFaceEnv,
  deps: {
    logger: Logger;
    intake: TouchIntake;
    context: CustomerContext;
    contacts: ContactDirectory;
    crm: CrmPort;
    /** Contacts by name for the picker and /customer (the read model; server/contact-search.ts). */
    searchContacts: ContactSearch;
    touches: Pick<TouchStore, 'listByLogger'>;
    crmBasePath?: string;
    /** The broadcast engine: /alert, approvals in Slack, alert progress and App Home's alerts. */
    alerts?: SlackAlertDeps;
    /** The store, for the claims every API process shares (event ids, journalled follow-ups). */
    db?: Pick<Db, 'query' | 'kind'>;
    /** This process (processHolder()). */
    holder?: string;
    /** One person across Slack, Outlook and the API (services/people.ts). */
    people?: PeopleDirectory;
    /** Ack latency of Slack's requests (lib/metrics.ts). */
    metrics?: Pick<Metrics, 'slackAck'>;
    /** Spans around the bot client's Web API calls (lib/tracing.ts). */
    tracing?: Tracing;
  },
): Promise<SlackFace> {
  const chosen = slackSettingsFromEnv(env);
  if ('off' in chosen) {
    deps.logger.info(chosen.off);
    return { notice: chosen.off, jobs: {}, stop: async () => undefined };
  }
  const claims =
    deps.db && deps.holder
      ? {
          holder: deps.holder,
          // PGlite is one process's database: no other process can see an event, and this one's memory dedupes it
          // without two queries on the way to the ack.
          ...(deps.db.kind === 'postgres' ? { events: createSlackEventClaims(deps.db) } : {}),
          followUps: createSlackFollowUpStore(deps.db),
        }
      : undefined;
  const crmContactUrl = crmContactUrlFrom(env.SLACK_CRM_CONTACT_URL, deps.crmBasePath);
  const app = createSlackApp(chosen.settings, {
    intake: deps.intake,
    context: deps.context,
    contacts: deps.contacts,
    crm: deps.crm,
    searchContacts: deps.searchContacts,
    questions: DEFAULT_QUESTIONS,
    recentTouches: recentTouchesFrom(deps.touches),
    crmContactUrl,
    logger: deps.logger,
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    ...(claims ? { claims } : {}),
    ...(deps.people ? { people: deps.people } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.tracing ? { tracing: deps.tracing } : {}),
  });
  await app.start();
  const where = app.mode === 'socket' ? 'Socket Mode' : 'HTTP at /slack/events';
  const api = chosen.settings.apiUrl ? ` (Web API ${chosen.settings.apiUrl})` : '';
  const notice = `Slack is on: ${where}${api}`;
  deps.logger.info(notice);
  return { app, notice, jobs: app.jobs, stop: () => app.stop() };
}
