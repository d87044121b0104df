import type { Client } from '@temporalio/client';
import { checkSlack, checkSmsAccount, checkSmtp } from '../../channels/checks.js';
import type { EmailSender } from '../../channels/email/sender.js';
import type { HttpSmsProviderOptions } from '../../channels/sms/http-provider.js';
import type { Env } from '../../config/env.js';
import type { CrmPort } from '../../crm/port.js';
import { smsSettingsFromEnv } from '../../services/channel-adapters.js';
import { checkCrm, createStatusReporter, type StatusReporter } from '../../services/status.js';
import { slackSettingsFromEnv } from '../../slack-app/index.js';
import type { Db } from '../../store/db.js';
import { createLeaseStore } from '../../store/leases.js';

/** host:port of a URL: where something goes, never its credentials or path. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unparseable URL';
  }
}

/**
 * /readyz's checks (what this process needs to serve) and the status report's (the CRM and the
 * channels, as this process's configuration reaches them; workers share that configuration).
 */
export function healthChecks(
  env: Env,
  parts: {
    db: Db;
    temporal: Client;
    crm: CrmPort;
    crmBasePath: string;
    /** The embedded HubSpot sandbox, when no CRM is configured. */
    sandboxUrl?: string;
    mail: Pick<EmailSender, 'verify'>;
    /** The embedded SMTP catcher's outbox page, when SMTP_URL is unset. */
    outboxUrl?: string;
    /** The SMS stand-in's settings, when no provider is configured. */
    smsStandIn?: HttpSmsProviderOptions;
    holder: string;
    statusCacheMs?: number;
  },
): { readiness: Record<string, () => Promise<unknown>>; status: StatusReporter } {
  const store = () => parts.db.query('select 1');
  const temporal = () => parts.temporal.workflowService.getSystemInfo({});
  const slack = slackSettingsFromEnv(env);
  const smsConfigured = smsSettingsFromEnv(env);
  const sms = smsConfigured ?? parts.smsStandIn;
  const leases = createLeaseStore(parts.db);
  const status = createStatusReporter({
    store,
    temporal,
    crm: {
      configured: !parts.sandboxUrl,
      target: parts.sandboxUrl ? `embedded HubSpot sandbox ${parts.sandboxUrl}` : hostOf(parts.crmBasePath),
      check: checkCrm(parts.crm),
    },
    channels: {
      email: {
        configured: Boolean(env.SMTP_URL),
        target: env.SMTP_URL
          ? hostOf(env.SMTP_URL)
          : `embedded SMTP catcher${parts.outboxUrl ? ` (outbox ${parts.outboxUrl})` : ''}`,
        check: () => checkSmtp(parts.mail),
      },
      slack:
        'off' in slack
          ? { configured: false, target: `off: ${slack.off}` }
          : {
              configured: true,
              target: slack.settings.apiUrl ? hostOf(slack.settings.apiUrl) : 'slack.com',
              check: () => checkSlack({ botToken: slack.settings.botToken, apiUrl: slack.settings.apiUrl }),
            },
      sms: sms
        ? {
            configured: Boolean(smsConfigured),
            target: smsConfigured ? hostOf(sms.apiUrl) : 'embedded SMS stand-in',
            check: () => checkSmsAccount(sms),
          }
        : { configured: false, target: 'off: set SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM' },
    },
    jobs: { list: () => leases.list(), holder: parts.holder },
    ...(parts.statusCacheMs !== undefined ? { cacheMs: parts.statusCacheMs } : {}),
  });
  return { readiness: { store, temporal }, status };
}
