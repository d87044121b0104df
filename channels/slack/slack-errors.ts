import { ChannelSendError } from '../send-error.js';

/**
 * Slack's answers to conversations.open / chat.postMessage, sorted into what dispatch does next.
 * Slack answers HTTP 200 with `{ok:false, error}` for most problems; @slack/web-api turns them
 * into errors with string codes (`slack_webapi_*`), which is all this looks at.
 */
export type SlackVerdict =
  /** Wait Retry-After, then try again. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** This recipient cannot be reached on Slack: like a hard bounce, one try on the fallback channel. */
  | { kind: 'permanent'; code: string }
  /** No verdict: throw it; the row goes back to pending (or stays unconfirmed) and the activity retries. */
  | { kind: 'retry'; error: ChannelSendError };

/**
 * The person is gone or cannot be DM'd. `account_inactive` officially means the token's own
 * user or workspace was deleted; it still ends in the fallback channel rather than in a retry
 * loop, so the customer gets the alert either way.
 */
const RECIPIENT_GONE = new Set([
  'user_not_found',
  'users_not_found',
  'channel_not_found',
  'account_inactive',
  'cannot_dm_bot',
  'user_disabled',
  'user_is_bot',
  'is_archived',
  'not_in_channel',
  'cannot_message_user',
  'messages_tab_disabled',
  'restricted_action',
]);
/** The message itself was refused (blocks, length): not the person's fault, but resending it will not help either. */
const MESSAGE_REFUSED = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'invalid_arguments',
]);
/** Slack refused us: wrong or revoked token, missing scope. Retry until someone fixes it; never blame customers. */
const CONFIG = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'team_access_not_granted',
  'ekm_access_denied',
  'org_login_required',
  'access_denied',
  'unknown_method',
]);
const SLACK_SIDE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** Failures before the request left this machine: certainly nothing was posted. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SlackishError {
  code?: string;
  message?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string; response_metadata?: { retryAfter?: number } };
  original?: { name?: string; code?: string; cause?: { code?: string } };
}

function networkCode(e: SlackishError): string | undefined {
  return e.original?.cause?.code ?? e.original?.code ?? e.original?.name;
}

/** `posting`: the call was chat.postMessage, so a lost answer may hide a posted message. */
export function classifySlackError(error: unknown, posting: boolean): SlackVerdict {
  const e = (error ?? {}) as SlackishError;
  const retry = (code: ChannelSendError['code'], message: string, retryAfter?: number): SlackVerdict => ({
    kind: 'retry',
    error: new ChannelSendError(code, message, retryAfter, { cause: error }),
  });
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return { kind: 'rate_limited', retryAfterSeconds: e.retryAfter ?? 1 };
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited')
        return { kind: 'rate_limited', retryAfterSeconds: e.data?.response_metadata?.retryAfter ?? 1 };
      if (CONFIG.has(code)) return retry('SLACK_CONFIG', `Slack refused the app: ${code}`);
      if (SLACK_SIDE.has(code)) return retry('SLACK_TEMPORARY', `Slack failed: ${code}`);
      if (RECIPIENT_GONE.has(code) || MESSAGE_REFUSED.has(code)) return { kind: 'permanent', code };
      // An error this code does not know: the fallback channel is a better bet than retrying forever.
      return { kind: 'permanent', code };
    }
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      if (status >= 500) return retry('SLACK_TEMPORARY', `Slack answered HTTP ${status}`);
      // 4xx other than 429 (handled above): a wrong SLACK_API_URL or a proxy in the way.
      return retry('SLACK_CONFIG', `Slack answered HTTP ${status}; check SLACK_API_URL`);
    }
    default: {
      const code = networkCode(e);
      if (!posting || (code && NOT_SENT.has(code)))
        return retry('SLACK_TEMPORARY', `Slack unreachable: ${code ?? e.message ?? 'request failed'}`);
      return retry(
        'SLACK_OUTCOME_UNKNOWN',
        `no answer from Slack to chat.postMessage: ${code ?? e.message ?? 'unknown'}`,
      );
    }
  }
}
