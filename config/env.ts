import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseSubscriptionMap } from '../domain/audience/subscriptions.js';
import { API_SCOPES, type ApiScope } from '../domain/identity.js';

/**
 * Every environment variable Rapport reads, parsed once at start-up.
 * A wrong value stops start-up with a message that names the variable and what it expects.
 * Keep .env.example and docs/CONFIGURATION.md in step with this schema (test/unit/docs checks both).
 */

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (what: string) =>
  z
    .url({ message: `expected ${what}` })
    .refine((v) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v), { message: `expected ${what}` });
const optionalUrl = (what: string) => optionalString.pipe(url(what).optional());
const secret = (min: number) =>
  optionalString.pipe(
    z
      .string()
      .min(min, { message: `expected at least ${min} characters` })
      .optional(),
  );

/** A HubSpot property's internal name: lower case, digits and underscores. */
const propertyName = optionalString.pipe(
  z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, { message: "expected a HubSpot property's internal name (a-z, 0-9, _)" })
    .optional(),
);

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    PUBLIC_URL: optionalUrl('an http(s) URL such as https://rapport.example.com'),
    DATA_DIR: z.string().min(1).default('.data'),
    /** Comma-separated bearer tokens for the HTTP API. Unset: one is generated into DATA_DIR/api-token. */
    API_TOKENS: optionalString.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().min(24, { message: 'each token needs at least 24 characters' })).min(1))
        .optional(),
    ),

    /**
     * Named service principals for the HTTP API: `name(scope,scope)=token;name2(scope)=token2`. A token
     * is at least 24 characters, or `sha256:<hex>` of it (so the environment need not hold the token).
     * Scopes: see domain/identity.ts. Two entries with one name are two valid tokens (rotation).
     */
    API_SERVICE_TOKENS: optionalString.pipe(
      z
        .string()
        .transform((value, ctx) => {
          const principals: { name: string; scopes: ApiScope[]; digest: string }[] = [];
          for (const part of value
            .split(';')
            .map((p) => p.trim())
            .filter(Boolean)) {
            const m = /^([a-z0-9][a-z0-9-]{0,62})\(([^)]*)\)=(\S+)$/.exec(part);
            const scopes = (m?.[2] ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            const bad = scopes.find((s) => !(API_SCOPES as readonly string[]).includes(s));
            const token = m?.[3] ?? '';
            const digest = /^sha256:[0-9a-f]{64}$/i.test(token)
              ? token.slice(7).toLowerCase()
              : token.length >= 24
                ? createHash('sha256').update(token).digest('hex')
                : undefined;
            if (!m || bad !== undefined || !digest) {
              ctx.addIssue({
                code: 'custom',
                message: bad
                  ? `unknown scope ${bad} (known: ${API_SCOPES.join(', ')})`
                  : 'expected name(scope,scope)=token;… with tokens of at least 24 characters or sha256:<64 hex>',
              });
              return z.NEVER;
            }
            principals.push({ name: m[1]!, scopes: scopes as ApiScope[], digest });
          }
          return principals;
        })
        .optional(),
    ),
    /**
     * The OpenID Connect issuer whose people may use the API and the add-in (its discovery document
     * names the key set). Default with AAD_TENANT_ID: Entra's https://login.microsoftonline.com/<tenant>/v2.0.
     */
    OIDC_ISSUER: optionalUrl('an http(s) issuer URL such as https://login.microsoftonline.com/<tenant>/v2.0'),
    /**
     * The dashboard's app registration at the same identity provider (OIDC_ISSUER / AAD_TENANT_ID):
     * its client id, and its secret for a confidential client (unset: a public client, PKCE alone).
     * Its redirect URI is <PUBLIC_URL>/dashboard/auth/callback. Unset: no dashboard sign-in, except in
     * development on loopback, where the local OpenID Connect provider registers one.
     */
    DASHBOARD_CLIENT_ID: optionalString.pipe(z.string().max(200).optional()),
    DASHBOARD_CLIENT_SECRET: secret(16),
    /** How long a dashboard sign-in lasts, in hours. */
    DASHBOARD_SESSION_HOURS: z.coerce
      .number()
      .min(0.05)
      .max(24 * 30)
      .default(8),
    /**
     * Rate limits of the public routes, requests per minute per client (bursts up to as many), in
     * memory per process; 0 turns one off. Links: approval, answer and unsubscribe pages. Webhooks:
     * inbound mail and texts. Slack: /slack/events (off by default: Slack's own retries pace it).
     */
    LINK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(60),
    WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(600),
    SLACK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(0),
    /** Behind a reverse proxy: the header naming the client (its last value is used), e.g. x-forwarded-for. */
    RATE_LIMIT_CLIENT_HEADER: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'expected a header name such as x-forwarded-for' })
        .transform((v) => v.toLowerCase())
        .optional(),
    ),

    TEMPORAL_ADDRESS: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]+:\d+$/, { message: 'expected host:port, e.g. my-ns.a1b2c.tmprl.cloud:7233' })
        .optional(),
    ),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('rapport'),
    TEMPORAL_API_KEY: secret(8),
    TEMPORAL_TLS: optionalString.pipe(bool.optional()),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_CLI_PATH: optionalString,
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /** Start a worker inside `npm start` (off when workers run separately via `npm run worker`). */
    WORKER_IN_PROCESS: bool.default(true),
    /**
     * On SIGTERM a worker claims no new sends and gets this long to finish the ones in flight;
     * after it, what is still running is cancelled (and reported unconfirmed). Keep the orchestrator's
     * stop timeout above it (Kubernetes terminationGracePeriodSeconds, compose stop_grace_period).
     */
    WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /**
     * Where the Temporal SDK serves its own Prometheus metrics (workers' polls, task latencies,
     * schedule-to-start), host:port; unset: not served. Process-wide: one per process.
     */
    TEMPORAL_METRICS_BIND: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]+:\d+$/, { message: 'expected host:port, e.g. 127.0.0.1:9464' })
        .optional(),
    ),
    /** The Temporal Web UI (e.g. http://localhost:8233); set: alerts link to their workflow there. */
    TEMPORAL_UI_URL: optionalUrl('an http(s) URL such as https://temporal.example.com'),

    /** Bearer token for GET /metrics (Prometheus); unset: /metrics is not served. */
    METRICS_TOKEN: secret(16),
    /** `npm run worker`: port of the worker's own /metrics listener (on HOST); unset: none. */
    METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional()),
    /**
     * OpenTelemetry traces, by the standard variable names. Set: spans from HTTP through workflow and
     * activity to the CRM, SMTP and Slack calls are exported over OTLP/HTTP (`<endpoint>/v1/traces`);
     * unset: tracing is off and costs nothing.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl('an http(s) URL such as http://localhost:4318'),
    /** The traces URL itself (with its path), when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl('an http(s) URL such as http://localhost:4318/v1/traces'),
    /** Headers sent with every export, `key=value,key2=value2` (a collector's API key); never logged. */
    OTEL_EXPORTER_OTLP_HEADERS: optionalString,
    /** The service name on every span (`rapport`; the separate worker adds `-worker` unless this is set). */
    OTEL_SERVICE_NAME: optionalString,
    /** Share of new traces kept, 0..1 (a trace started elsewhere follows its caller's choice). */
    OTEL_TRACES_SAMPLER_ARG: optionalString.pipe(z.coerce.number<string | undefined>().min(0).max(1).optional()),

    DATABASE_URL: optionalUrl('a postgres:// connection URL'),
    /**
     * Jobs one process of the deployment runs for all (the Slack message poller, the recovery of
     * Slack follow-ups, the contact sync) hold a lease in the store this long without renewing it;
     * when its holder dies another process takes the job over after at most this long.
     */
    JOB_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(30),

    HUBSPOT_ACCESS_TOKEN: secret(8),
    HUBSPOT_BASE_PATH: url('an http(s) URL').default('https://api.hubapi.com'),
    /**
     * The portal's requests per rolling 10 s: 100 (Free/Starter), 190 (Pro/Enterprise), 250 (with
     * the limit pack). Shared by every process on the same PostgreSQL; with PGlite, one process.
     */
    HUBSPOT_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(100),
    /**
     * Share of that budget (0 to 0.9) only interactive reads may use (Slack picker and options, the
     * Outlook add-in, customer context): background logging, sync and dispatch never take it.
     */
    HUBSPOT_INTERACTIVE_RESERVE: z.coerce.number().min(0).max(0.9).default(0.2),
    /**
     * How long HubSpot's search index may trail a write. A retry after an uncertain create (its
     * answer lost) waits this long after the first attempt before looking for the record.
     */
    HUBSPOT_SEARCH_LAG_SECONDS: z.coerce.number().min(0).max(120).default(5),
    /**
     * How long a completed CRM idempotency key (crm_idempotency) is kept: the maintenance sweep
     * forgets older ones. It must outlast every retry of a CRM write (hours at most).
     */
    CRM_IDEMPOTENCY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    HUBSPOT_SANDBOX_PORT: port.default(3100),
    /**
     * Which HubSpot contact property holds each fact Rapport reads (docs/CONFIGURATION.md has the
     * table); unset: HubSpot's own property where one exists, else the rapport_* one setup creates.
     */
    HUBSPOT_PROPERTY_REVENUE: propertyName,
    HUBSPOT_PROPERTY_LAST_PURCHASE: propertyName,
    HUBSPOT_PROPERTY_CUSTOMER_SINCE: propertyName,
    HUBSPOT_PROPERTY_PREFERRED_CHANNEL: propertyName,
    HUBSPOT_PROPERTY_SLACK_USER_ID: propertyName,
    HUBSPOT_PROPERTY_TIME_ZONE: propertyName,
    HUBSPOT_PROPERTY_EMAIL_OPTOUT: propertyName,
    HUBSPOT_PROPERTY_SMS_CONSENT: propertyName,
    /**
     * HubSpot communication preferences (email subscription statuses) for the audience: v4 batch
     * reads (Marketing Hub Enterprise), v3 one address a request, auto (v4, else v3), off.
     */
    HUBSPOT_PREFERENCES_API: z.enum(['auto', 'v4', 'v3', 'off']).default('auto'),
    /**
     * How the customer view reads a contact's notes, calls, emails, meetings and tasks: v1 (HubSpot's
     * legacy associated-engagements read, one request; v3 when the portal refuses it) or v3 (an
     * association read and a batch read per kind).
     */
    HUBSPOT_ACTIVITY_READ: z.enum(['v1', 'v3']).default('v1'),
    /**
     * Alert topic -> HubSpot email subscription type id (or `all`): `rates=123456;*=all`. The audience
     * honours the contact's status for it; Rapport's unsubscribe link unsubscribes there.
     */
    HUBSPOT_SUBSCRIPTION_TYPES: z
      .string()
      .default('')
      .transform((value, ctx) => {
        try {
          return parseSubscriptionMap(value);
        } catch {
          // The parser names the offending part; the message here does not echo configuration.
          ctx.addIssue({
            code: 'custom',
            message:
              'expected topic=<subscription type id> or topic=all, separated by ;, each topic once, e.g. rates=123456;*=all',
          });
          return z.NEVER;
        }
      }),

    /**
     * Who gets the task to fix the address of a bounced contact that has no account owner: a CRM
     * owner id (digits) or that owner's email. Unset (or not a CRM owner): the alert's requester.
     */
    CRM_TEAM_QUEUE_OWNER: optionalString.pipe(
      z
        .string()
        .trim()
        .regex(/^(\d{1,20}|[^\s@]+@[^\s@]+\.[^\s@]+)$/, {
          message: 'expected a CRM owner id (digits) or the owner’s email',
        })
        .optional(),
    ),
    /** Longest wait between retries of a CRM write; the retries themselves never stop. */
    CRM_RETRY_MAX_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /**
     * Contact and company read models (the Slack customer picker, /customer <name>; the customer
     * context's company): contacts and companies changed in the CRM are copied every this many
     * seconds. 0 turns them off: those searches and look-ups ask the CRM.
     */
    CONTACT_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** The read models are reloaded in full this often: records deleted or merged in the CRM leave them then. */
    CONTACT_SYNC_FULL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),

    /** Slack: the surface is on when both the bot token and the signing secret are set. */
    SLACK_BOT_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^xoxb-[\w-]{8,}$/, { message: 'expected a bot token starting with xoxb-' })
        .optional(),
    ),
    SLACK_SIGNING_SECRET: secret(16),
    /** App-level token (connections:write): Socket Mode instead of the HTTP endpoint. */
    SLACK_APP_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^xapp-[\w-]{8,}$/, { message: 'expected an app-level token starting with xapp-' })
        .optional(),
    ),
    /** Slack Web API base URL; set it to the local stand-in (sandbox/slack) for demos and tests. */
    SLACK_API_URL: optionalUrl('an http(s) URL such as http://127.0.0.1:3200/api/'),
    /** Link to a contact in the CRM, `{id}` replaced by the contact id (Slack messages link to it). */
    SLACK_CRM_CONTACT_URL: optionalString.pipe(
      z
        .string()
        .regex(/^https?:\/\/\S+\{id\}\S*$/, {
          message:
            'expected an http(s) URL containing {id}, e.g. https://app.hubspot.com/contacts/<portalId>/record/0-1/{id}',
        })
        .optional(),
    ),

    /** Outgoing mail (alerts, approval requests). Unset: the embedded SMTP catcher with an outbox page. */
    SMTP_URL: optionalString.pipe(
      z
        .string()
        .regex(/^smtps?:\/\/[^\s]+$/i, { message: 'expected smtp://user:pass@host:587 or smtps://user:pass@host:465' })
        .optional(),
    ),
    SMTP_CATCHER_PORT: port.default(2525),
    SMTP_OUTBOX_PORT: port.default(3025),
    MAIL_FROM: z.string().trim().min(3).default('Rapport Alerts <alerts@rapport.example>'),
    /** Domain of per-recipient reply+token@ addresses; the inbound mail webhook owns it. */
    REPLY_DOMAIN: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, { message: 'expected a domain name such as reply.example.com' })
      .default('reply.rapport.example'),
    /** HMAC key for signed links and reply tokens. Unset: generated into DATA_DIR/rapport-secret. */
    RAPPORT_SECRET: secret(32),
    /**
     * The topic catalogue's seed at start: demo (the demo topics, added when missing) or none.
     * Unset: demo, except in production.
     */
    TOPICS_SEED: z.enum(['demo', 'none'], { message: 'expected demo or none' }).optional(),
    /** The approver group (of APPROVER_GROUPS) whose members may edit the topic catalogue. */
    TOPIC_ADMIN_GROUP: z.string().trim().min(1).default('alerts'),
    /**
     * Approver groups: `group=a@x.com,b@x.com;other=c@x.com`. Each email is bound to the first person who
     * signs in with it; membership is judged by person id (services/approver-groups.ts).
     */
    APPROVER_GROUPS: z
      .string()
      .default('alerts=approver@rapport.example,officer@rapport.example')
      .transform((value, ctx) => {
        // No prototype: a group named "constructor" or "toString" in a request finds nothing, not Object's methods.
        const groups: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
        for (const part of value
          .split(';')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [name, members = ''] = part.split('=', 2).map((p) => p.trim());
          const emails = members
            .split(',')
            .map((m) => m.trim().toLowerCase())
            .filter(Boolean);
          if (
            !name ||
            !/^[\w.-]+$/.test(name) ||
            emails.length === 0 ||
            emails.some((e) => !/^[^\s@]+@[^\s@]+$/.test(e))
          ) {
            ctx.addIssue({ code: 'custom', message: 'expected group=email,email;group2=email' });
            return z.NEVER;
          }
          groups[name] = emails;
        }
        return groups;
      }),
    /** Approvers are reminded after this long, and the request expires this long after the reminder. */
    APPROVAL_REMINDER_MINUTES: z.coerce
      .number()
      .positive()
      .max(60 * 24 * 30)
      .default(240),
    APPROVAL_EXPIRY_MINUTES: z.coerce
      .number()
      .positive()
      .max(60 * 24 * 30)
      .default(1200),
    /**
     * on: an approved alert on a topic with an announced schedule waits for the next slot in each
     * contact's time zone (unless marked urgent); off: every alert goes out when approved (a rollout
     * switch; the test harness defaults to off so tests on the demo topics send at once).
     */
    ANNOUNCED_SCHEDULES: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
    /** A reply owner gets this many responses to an alert one by one; the rest come in digests. */
    OWNER_DIGEST_FIRST: z.coerce.number().int().min(0).max(1000).default(3),
    /** One owner digest per alert at most this often: 90s, 15m, 2h. */
    OWNER_DIGEST_INTERVAL: z
      .string()
      .default('15m')
      .transform((value, ctx) => {
        const m = /^(\d+)\s*(s|m|h)$/.exec(value.trim().toLowerCase());
        const ms = m ? Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : NaN;
        if (!(ms >= 1_000 && ms <= 7 * 86_400_000)) {
          ctx.addIssue({ code: 'custom', message: 'expected a duration such as 90s, 15m or 2h (1s to 168h)' });
          return z.NEVER;
        }
        return ms;
      }),
    /** How long after dispatch responses count; then owners get their non-responder tasks. */
    RESPONSE_WINDOW_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 90)
      .default(72),
    /** Contact policy: alerts per contact per window (`max/hours`), and local quiet hours (`HH:MM-HH:MM` or `off`). */
    ALERT_FREQUENCY_CAP: z
      .string()
      .default('5/168')
      .transform((value, ctx) => {
        // `5/168` overall, then optional per-topic caps: `5/168;rates=2/24;promotions=1/168`.
        type Cap = { maxPerWindow: number; windowHours: number };
        const cap = (text: string): Cap | undefined => {
          const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text);
          return m && Number(m[2]) > 0 && Number(m[2]) <= 24 * 366
            ? { maxPerWindow: Number(m[1]), windowHours: Number(m[2]) }
            : undefined;
        };
        const [overall = '', ...topics] = value.split(';').map((p) => p.trim());
        const base = cap(overall);
        if (!base) {
          ctx.addIssue({ code: 'custom', message: 'expected max/hours, e.g. 3/72, then ;topic=max/hours per topic' });
          return z.NEVER;
        }
        const perTopic: Record<string, Cap> = Object.create(null) as Record<string, Cap>;
        for (const entry of topics.filter(Boolean)) {
          const [topic = '', limit = ''] = entry.split('=', 2).map((p) => p.trim());
          const topicCap = cap(limit);
          if (!topic || !topicCap) {
            ctx.addIssue({
              code: 'custom',
              message: 'expected topic=max/hours after the overall cap, e.g. 3/72;fx=1/24',
            });
            return z.NEVER;
          }
          perTopic[topic.toLowerCase()] = topicCap;
        }
        return Object.keys(perTopic).length > 0 ? { ...base, perTopic } : base;
      }),
    ALERT_QUIET_HOURS: z
      .string()
      .default('21:00-08:00')
      .transform((value, ctx) => {
        if (value.trim().toLowerCase() === 'off') return null;
        const m = /^((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d)$/.exec(value.trim());
        if (!m) {
          ctx.addIssue({ code: 'custom', message: 'expected HH:MM-HH:MM (local time) or off' });
          return z.NEVER;
        }
        return { start: m[1]!, end: m[2]! };
      }),
    /**
     * Days a preference centre link (in every alert) works after it was sent; a contact can stop
     * all of theirs at once from the page. Each alert carries a fresh one.
     */
    PREFERENCE_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(730).default(90),
    /** Recipients per dispatch activity, and the workflow history size at which a dispatch continues as new. */
    ALERT_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
    ALERT_HISTORY_EVENTS: z.coerce.number().int().min(50).max(40_000).default(6_000),
    /** Per-channel send rate of one worker, messages per second. */
    EMAIL_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(50),
    /** SMTP (nodemailer) on its own thread, so a dispatching worker uses a second core. */
    EMAIL_SEND_THREAD: bool.default(true),
    /**
     * Slack DMs per second of one worker. A DM is conversations.open, rate tier 3 ("50+ per
     * minute"), then chat.postMessage (about 1 message per second per channel, plus a workspace
     * cap): 0.8/s = 48 a minute stays inside tier 3's floor. On a 429 the sender also waits Retry-After.
     */
    SLACK_DM_RATE_PER_SECOND: z.coerce.number().positive().max(100).default(0.8),
    /** Texts per second of one worker: a Twilio long-code number sends 1 segment a second (toll-free 3, short code 100). */
    SMS_RATE_PER_SECOND: z.coerce.number().positive().max(1_000).default(1),
    /** SMS provider speaking Twilio's Messages API; default Twilio's. SMS is on when the three below are set. */
    SMS_API_URL: optionalUrl('an http(s) URL such as https://api.twilio.com/2010-04-01'),
    SMS_ACCOUNT_SID: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{2,64}$/, { message: 'expected the account id, e.g. AC followed by 32 hex digits' })
        .optional(),
    ),
    SMS_AUTH_TOKEN: secret(8),
    /** Sender: an E.164 number (+14155550100) or an alphanumeric sender id (up to 11 letters and digits). */
    SMS_FROM: optionalString.pipe(
      z
        .string()
        .regex(/^(?:\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, {
          message: 'expected an E.164 number such as +14155550100 or an alphanumeric sender id',
        })
        .optional(),
    ),
    /** Port of the local SMS stand-in `npm start` runs while SMS is not configured (taken: any free port). */
    SMS_SANDBOX_PORT: port.default(3300),

    // Outlook add-in (outlook-addin/, manifest.xml)
    /** HTTPS origin Outlook loads the task pane from (manifest URLs, token audience). */
    ADDIN_ORIGIN: optionalString.pipe(
      z
        .url({ message: 'expected an https:// origin such as https://rapport.example.com' })
        .refine((v) => /^https:\/\/[^/]+\/?$/i.test(v), {
          message: 'expected an https:// origin without a path, e.g. https://rapport.example.com',
        })
        .transform((v) => v.replace(/\/$/, ''))
        .optional(),
    ),
    /** Microsoft Entra tenant (directory) id whose users may use the add-in. */
    AAD_TENANT_ID: optionalString.pipe(z.guid({ message: 'expected the tenant id (a GUID)' }).optional()),
    /** Application (client) id of the add-in's Entra app registration. */
    AAD_CLIENT_ID: optionalString.pipe(z.guid({ message: 'expected the application (client) id (a GUID)' }).optional()),
    /** Accepted token audiences, comma-separated. Default: AAD_CLIENT_ID and api://<ADDIN_ORIGIN host>/<AAD_CLIENT_ID>. */
    AAD_AUDIENCE: optionalString.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        )
        .optional(),
    ),
    /** Key set URL; default: the tenant's (https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys). */
    AAD_JWKS_URL: optionalUrl('an http(s) URL of a JSON Web Key Set'),
    /**
     * DEVELOPMENT ONLY: the pane signs in with a local token for ADDIN_DEV_USER. Unset: on when the
     * server listens on loopback, PUBLIC_URL is loopback and Entra sign-in is not configured (see
     * devSignInOn). `true` is refused unless both are loopback, and in production.
     */
    ADDIN_DEV_AUTH: optionalString.pipe(bool.optional()),
    ADDIN_DEV_USER: optionalString.pipe(z.email({ message: 'expected an email address' }).optional()),
    /**
     * Origins that may frame the task pane besides Outlook's and Office's own (comma-separated, e.g. a
     * sovereign cloud's https://outlook.office365.us); the pane's Content-Security-Policy frame-ancestors.
     */
    ADDIN_FRAME_ANCESTORS: optionalString.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
        )
        .pipe(
          z.array(
            z.string().regex(/^https:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d+)?$/, {
              message: 'expected https:// origins (a leading *. is allowed), comma-separated',
            }),
          ),
        )
        .optional(),
    ),
    /** Mail domains of colleagues (comma-separated); their messages show "internal sender". */
    ADDIN_INTERNAL_DOMAINS: optionalString.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((d) => d.trim().toLowerCase())
            .filter(Boolean),
        )
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    if ((env.TEMPORAL_TLS_CERT_PATH === undefined) !== (env.TEMPORAL_TLS_KEY_PATH === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'],
        message: 'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH',
      });
    }
    if ((env.AAD_TENANT_ID === undefined) !== (env.AAD_CLIENT_ID === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.AAD_TENANT_ID ? 'AAD_CLIENT_ID' : 'AAD_TENANT_ID'],
        message: 'add-in sign-in needs both AAD_TENANT_ID and AAD_CLIENT_ID',
      });
    }
    if (env.DASHBOARD_CLIENT_ID && !env.OIDC_ISSUER && !env.AAD_TENANT_ID && env.NODE_ENV !== 'development') {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_CLIENT_ID'],
        message: 'the dashboard signs in at the people identity provider: set OIDC_ISSUER or AAD_TENANT_ID',
      });
    }
    if (env.NODE_ENV === 'production' && env.ADDIN_DEV_AUTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADDIN_DEV_AUTH'],
        message: 'the development sign-in is refused in production',
      });
    } else if (env.ADDIN_DEV_AUTH && !servesLoopbackOnly(env)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADDIN_DEV_AUTH'],
        message:
          'the development sign-in hands out tokens to whoever asks: it needs HOST and PUBLIC_URL on loopback (127.0.0.1, ::1, localhost)',
      });
    }
    if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'Socket Mode (SLACK_APP_TOKEN) also needs the bot token',
      });
    }
    const sms = { SMS_ACCOUNT_SID: env.SMS_ACCOUNT_SID, SMS_AUTH_TOKEN: env.SMS_AUTH_TOKEN, SMS_FROM: env.SMS_FROM };
    const missingSms = Object.entries(sms).filter(([, v]) => v === undefined);
    if ((env.SMS_API_URL !== undefined || missingSms.length < 3) && missingSms.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [missingSms[0]![0]],
        message: 'SMS needs SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM together',
      });
    }
    if (env.NODE_ENV === 'production' && !env.API_TOKENS && !env.API_SERVICE_TOKENS) {
      ctx.addIssue({ code: 'custom', path: ['API_TOKENS'], message: 'required in production (or API_SERVICE_TOKENS)' });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** A host name or address that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** The server listens on loopback only and is reached at a loopback URL: nobody else can ask it for anything. */
export function servesLoopbackOnly(env: { HOST: string; PUBLIC_URL?: string | undefined }): boolean {
  if (!isLoopbackHost(env.HOST)) return false;
  return env.PUBLIC_URL === undefined || isLoopbackHost(new URL(env.PUBLIC_URL).hostname);
}

/**
 * Whether the add-in's development sign-in is on: never in production nor off loopback (the
 * schema refuses ADDIN_DEV_AUTH=true there); ADDIN_DEV_AUTH when set; otherwise on for a server
 * only this machine reaches and that has no Entra sign-in, so the task pane `npm start` prints
 * shows the customer view to someone trying Rapport, under its red banner.
 */
export function devSignInOn(
  env: Pick<Env, 'ADDIN_DEV_AUTH' | 'HOST' | 'PUBLIC_URL' | 'NODE_ENV' | 'AAD_TENANT_ID'>,
): boolean {
  if (env.NODE_ENV === 'production' || !servesLoopbackOnly(env)) return false;
  return env.ADDIN_DEV_AUTH ?? env.AAD_TENANT_ID === undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(
      'Rapport cannot start; fix these environment variables (see .env.example):\n' +
        problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; never echoes values back, so a mistyped secret is not printed. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const byVariable = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
  }
  throw new ConfigError([...byVariable].map(([variable, problem]) => ({ variable, problem })));
}
