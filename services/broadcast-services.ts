import { preferenceLink } from '../domain/broadcast/preference-link.js';
import { createPreferenceStore, type PreferenceStore } from '../store/preferences.js';
import { createEmailSender, type EmailSender } from '../channels/email/sender.js';
import { createThreadedEmailSender } from '../channels/email/threaded-sender.js';
import type { HttpSmsProviderOptions } from '../channels/sms/http-provider.js';
import type { Env } from '../config/env.js';
import type { CrmPort } from '../crm/port.js';
import { contactPolicySchema, type ContactPolicy } from '../domain/audience/policy.js';
import { parseCrmTeamQueue } from '../domain/broadcast/directory-fix.js';
import { createAlertEventStore, type AlertEventStore } from '../store/alert-events.js';
import { createAlertStore } from '../store/alerts.js';
import { createApprovalStore } from '../store/approvals.js';
import type { Db } from '../store/db.js';
import { createDeliveryStore } from '../store/deliveries.js';
import { createResponseStore } from '../store/responses.js';
import { createSendRateStore } from '../store/send-rates.js';
import { createOwnerDigestStore } from '../store/owner-digests.js';
import { createCustomerDigestStore } from '../store/customer-digests.js';
import { createTopicStore } from '../store/topics.js';
import { createPeopleStore } from '../store/people.js';
import type { BroadcastActivityDeps } from '../workflows/broadcast/activities.js';
import { channelAdaptersFromEnv } from './channel-adapters.js';
import type { Metrics } from '../lib/metrics.js';
import { NO_TRACING, type Tracing } from '../lib/tracing.js';
import { traceChannels, traceEmailSender } from './traced-channels.js';

/** Rapport's custom contact properties the alert rules read and write (unsubscribe, bouncing address). */
export const BROADCAST_CRM_SCHEMA = [
  { objectType: 'contacts' as const, name: 'rapport_unsubscribed_all', label: 'Rapport: unsubscribed from all alerts' },
  { objectType: 'contacts' as const, name: 'rapport_email_invalid', label: 'Rapport: email bounced' },
  // Written by an SMS STOP (false); created at start so that write never meets a missing property.
  { objectType: 'contacts' as const, name: 'rapport_sms_consent', label: 'Rapport: consented to texts' },
];

export function contactPolicyFromEnv(env: Env): ContactPolicy {
  return contactPolicySchema.parse({
    frequencyCap: env.ALERT_FREQUENCY_CAP,
    quietHours: env.ALERT_QUIET_HOURS,
    subscriptionTypes: env.HUBSPOT_SUBSCRIPTION_TYPES,
  });
}

/** Everything the API and the broadcast activities share; the same for `npm start` and `npm run worker`. */
export function createBroadcastServices(
  env: Env,
  parts: {
    db: Db;
    crm: CrmPort;
    smtpUrl: string;
    secret: string;
    publicUrl: string;
    /** SMS provider settings overriding the environment's (npm start: the embedded stand-in). */
    sms?: HttpSmsProviderOptions;
    /** Deliveries and decisions counted for operators (lib/metrics.ts). */
    metrics?: Metrics;
    /** Spans around each SMTP send and each Slack DM or text (lib/tracing.ts); unset: none. */
    tracing?: Tracing;
  },
): BroadcastActivityDeps & { mail: EmailSender; events: AlertEventStore; preferences: PreferenceStore } {
  const mailOptions = {
    smtpUrl: parts.smtpUrl,
    from: env.MAIL_FROM,
    replyDomain: env.REPLY_DOMAIN,
    publicUrl: parts.publicUrl,
  };
  const tracing = parts.tracing ?? NO_TRACING;
  const mail = traceEmailSender(
    env.EMAIL_SEND_THREAD ? createThreadedEmailSender(mailOptions) : createEmailSender(mailOptions),
    tracing,
  );
  return {
    crm: parts.crm,
    alerts: createAlertStore(parts.db),
    deliveries: createDeliveryStore(parts.db),
    approvals: createApprovalStore(parts.db),
    responses: createResponseStore(parts.db),
    people: createPeopleStore(parts.db),
    events: createAlertEventStore(parts.db),
    mail,
    mailFrom: env.MAIL_FROM,
    secret: parts.secret,
    publicUrl: parts.publicUrl,
    policy: contactPolicyFromEnv(env),
    emailRatePerSecond: env.EMAIL_RATE_PER_SECOND,
    channels: traceChannels(channelAdaptersFromEnv(env, { publicUrl: parts.publicUrl, sms: parts.sms }), tracing),
    slackDmRatePerSecond: env.SLACK_DM_RATE_PER_SECOND,
    smsRatePerSecond: env.SMS_RATE_PER_SECOND,
    crmTeamQueue: parseCrmTeamQueue(env.CRM_TEAM_QUEUE_OWNER),
    topics: createTopicStore(parts.db),
    customerDigests: createCustomerDigestStore(parts.db),
    replyDomain: env.REPLY_DOMAIN,
    announcedSchedules: env.ANNOUNCED_SCHEDULES === 'on',
    ownerDigests: {
      store: createOwnerDigestStore(parts.db),
      first: env.OWNER_DIGEST_FIRST,
      intervalMs: env.OWNER_DIGEST_INTERVAL,
    },
    // PostgreSQL may serve several workers: the channel rates are then the deployment's, not each worker's.
    ...(parts.db.kind === 'postgres' ? { sendRates: createSendRateStore(parts.db) } : {}),
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
    // The customers' own terms (preference centre) for the audience, and their link in every message.
    preferences: createPreferenceStore(parts.db),
    preferenceLink: (contactId: string) => preferenceLink(parts.secret, parts.publicUrl, contactId, new Date()),
  };
}

export type BroadcastServices = ReturnType<typeof createBroadcastServices>;
