import type { Logger } from 'pino';
import type { TemporalUi } from '../domain/broadcast/workflow-link.js';
import type { Metrics } from '../lib/metrics.js';
import type { Tracing } from '../lib/tracing.js';
import type { ContactDirectory } from '../crm/contact-directory.js';
import type { CrmPort } from '../crm/port.js';
import type { Question } from '../domain/questions.js';
import type { ContactSearch } from '../services/contacts/contact-search.js';
import type { CustomerContext } from '../services/customer-context.js';
import type { TouchIntake } from '../services/touch-intake.js';
import type { PeopleDirectory } from '../services/people.js';
import type { AlertIntake } from '../services/alert-intake.js';
import type { ApproverGroups } from '../services/approver-groups.js';
import type { LiveSummaryService } from '../services/live-summary.js';
import type { RecordSlackCustomerResponse } from '../services/customer-responses.js';
import type { AlertStore } from '../store/alerts.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { ResponseStore } from '../store/responses.js';
import type { SlackEventClaims, SlackFollowUpStore } from '../store/slack-claims.js';
import type { SlackMessageStore } from '../store/slack-messages.js';
import type { AfterAck } from './after-ack.js';
import type { AlertFace } from './alert-face.js';
import type { RecentTouches } from './home-data.js';

/** The broadcast engine, as the HTTP routes use it (the same service functions, never HTTP). */
export interface SlackAlertDeps {
  /** TEMPORAL_UI_URL and the namespace: the requester's and approvers' messages link to the workflow. */
  temporalUi?: TemporalUi;
  intake: Pick<AlertIntake, 'submit' | 'decide' | 'revise' | 'cancel'>;
  alerts: Pick<AlertStore, 'get' | 'list'>;
  deliveries: Pick<DeliveryStore, 'counts'>;
  responses: Pick<ResponseStore, 'forAlert'>;
  messages: SlackMessageStore;
  /** APPROVER_GROUPS as configured (the emails whom the approval DMs go to). */
  approverGroups: Record<string, string[]>;
  /** APPROVER_GROUPS judged by person id (App Home's pending approvals); absent: by email. */
  groups?: Pick<ApproverGroups, 'entryOf'>;
  /** The topic catalogue's open topics (the modal's topic picker); absent: a text field. */
  listTopics?: () => Promise<{ id: string; name: string }[]>;
  /** The CRM's contact lists with their member counts (the list picker). */
  listLists: () => Promise<{ id: string; name: string; size: number }[]>;
  /** The account owner's email of a contact (replies when the alert's replyTo is "owner"). */
  ownerEmail?: (contactId: string) => Promise<string | null>;
  /** A contact's name for response DMs ("Joe Smith <joe@...>"); the CRM id when absent or unknown. */
  contactLabel?: (contactId: string) => Promise<string | null>;
  /** A customer's answer button on an alert DM: recorded like the email's action links. Absent: buttons do nothing. */
  recordCustomerResponse?: RecordSlackCustomerResponse;
  /** A person's link to an alert's trail page (services/alert-trail.ts); absent: the messages carry none. */
  trailUrl?: (alertId: string, person: string) => Promise<string>;
  /** App Home's live summary of the person's alerts (services/live-summary.ts); absent: none shown. */
  summary?: Pick<LiveSummaryService, 'forPerson'>;
  /** How often open alerts are looked at for changes (default 1000 ms). */
  pollMs?: number;
  /** Least time between two chat.update of one message (default 1200 ms; Slack: about 1 per second). */
  minUpdateMs?: number;
  /**
   * Runs `work` while no other process does work under the same name (a lease in the store), so
   * two API processes never post one alert's messages twice; `ran: false` when another held it
   * too long. Unset: this process alone (one process, or unit tests).
   */
  exclusive?: <T>(name: string, work: () => Promise<T>) => Promise<{ ran: true; value: T } | { ran: false }>;
}

/** What the Slack face needs from the rest of Rapport; the same things the HTTP API uses. */
export interface SlackDeps {
  /** Spans around the bot client's Web API calls (lib/tracing.ts); unset: none. */
  tracing?: Tracing;
  /** Ack latency of Slack's HTTP requests (lib/metrics.ts); unset: not measured. */
  metrics?: Pick<Metrics, 'slackAck'>;
  /** Joins Slack users to people by the email Slack verified (services/people.ts); absent: the email as it is. */
  people?: PeopleDirectory;
  intake: Pick<TouchIntake, 'submit'>;
  context: CustomerContext;
  contacts: Pick<ContactDirectory, 'byId' | 'byEmail'>;
  crm: Pick<CrmPort, 'getContacts'>;
  /** Contacts by name, email or company: the read model once filled, the CRM until then (server/contact-search.ts). */
  searchContacts: ContactSearch;
  questions: Question[];
  recentTouches: RecentTouches;
  /** Link to a contact in the CRM, when one can be built. */
  crmContactUrl: (contactId: string) => string | undefined;
  logger: Logger;
  /** The broadcast engine; absent: /alert and approvals in Slack are off. */
  alerts?: SlackAlertDeps;
  /** Set by createSlackApp when `alerts` is given: keeps alert messages in step with the store. */
  alertFace?: AlertFace;
  /** How long the customer picker waits for a search before answering with no options. */
  searchTimeoutMs?: number;
  /** Set by createSlackApp: runs listeners' work after the acknowledgements of the burst they came with. */
  afterAck?: AfterAck;
  /**
   * The store's Slack claims (migration 10), shared by every API process: event ids (one process
   * acts on each event) and journalled follow-ups (work after ack() survives the process). Unset
   * (unit tests): events are deduped in memory and follow-ups run unjournalled.
   */
  claims?: SlackClaims;
}

export interface SlackClaims {
  /** This process (store/leases.ts processHolder()). */
  holder: string;
  /** Unset on PGlite (one process): events are deduped in memory. */
  events?: SlackEventClaims;
  followUps: SlackFollowUpStore;
}
