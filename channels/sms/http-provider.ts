import type { SmsMessage, SmsPermanentCode, SmsProvider, SmsSendResult } from './provider.js';

/**
 * An SMS provider speaking Twilio's Messages REST shape: POST form-encoded To, From, Body to
 * `{apiUrl}/Accounts/{sid}/Messages.json` with HTTP basic auth (account sid : auth token);
 * 201 with the message `sid`; errors as `{code, message, status}` with Twilio's error codes.
 */
export interface HttpSmsProviderOptions {
  /** e.g. https://api.twilio.com/2010-04-01, or the local stand-in's `apiUrl`. */
  apiUrl: string;
  accountSid: string;
  /** Never logged; sent only in the Authorization header. */
  authToken: string;
  /** E.164 sender number or an alphanumeric sender id. */
  from: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Twilio error codes that are about the recipient (https://www.twilio.com/docs/api/errors). */
const PERMANENT: Record<number, SmsPermanentCode> = {
  21211: 'SMS_INVALID_NUMBER', // Invalid 'To' phone number
  21217: 'SMS_INVALID_NUMBER', // Phone number does not appear to be valid
  21604: 'SMS_INVALID_NUMBER', // 'To' phone number is required
  21614: 'SMS_UNREACHABLE', // 'To' number is not a valid mobile number
  21612: 'SMS_UNREACHABLE', // 'To' number is not currently reachable via SMS
  21408: 'SMS_UNREACHABLE', // sending to this region is not enabled
  21610: 'SMS_OPTED_OUT', // the recipient replied STOP
};
/** Codes that say our account or sender is wrong: every text would fail the same way. */
const CONFIG = new Set([20003, 20005, 20404, 21212, 21603, 21606, 21659, 21660]);
/** Failures before the request left this machine: certainly nothing was sent. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Retry-After as seconds (an integer or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

/** The provider's HTTP answer as an outcome. Pure, for tests. */
export function mapSmsResponse(status: number, body: unknown, retryAfter?: string | null): SmsSendResult {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    sid?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const providerCode =
    typeof b.code === 'number' ? b.code : Number.isFinite(Number(b.code)) ? Number(b.code) : undefined;
  const text = typeof b.message === 'string' ? b.message.slice(0, 300) : `HTTP ${status}`;
  const detail = providerCode !== undefined ? { providerCode } : {};
  if (status >= 200 && status < 300)
    return { accepted: true, providerMessageId: typeof b.sid === 'string' ? b.sid : '' };
  if (status === 429) {
    const wait = retryAfterSeconds(retryAfter);
    return {
      accepted: false,
      permanent: false,
      code: 'SMS_RATE_LIMITED',
      message: text,
      ...detail,
      ...(wait !== undefined ? { retryAfterSeconds: wait } : {}),
    };
  }
  if (status >= 500) return { accepted: false, permanent: false, code: 'SMS_UNAVAILABLE', message: text, ...detail };
  if (status === 401 || status === 403 || status === 404 || (providerCode !== undefined && CONFIG.has(providerCode)))
    return { accepted: false, permanent: false, code: 'SMS_CONFIG', message: text, ...detail };
  const permanent = providerCode !== undefined ? PERMANENT[providerCode] : undefined;
  // Any other 4xx is about this message (body too long, unknown code): the fallback channel beats retrying forever.
  return { accepted: false, permanent: true, code: permanent ?? 'SMS_REJECTED', message: text, ...detail };
}

function networkCode(error: unknown): string | undefined {
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  return e?.cause?.code ?? e?.code ?? e?.name;
}

export function createHttpSmsProvider(options: HttpSmsProviderOptions): SmsProvider {
  const base = options.apiUrl.replace(/\/+$/, '');
  const url = `${base}/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    target: base,
    async send(message: SmsMessage): Promise<SmsSendResult> {
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            // Honoured by providers (and the stand-in) that dedupe on it; harmless elsewhere.
            'idempotency-key': message.reference,
          },
          body: new URLSearchParams({ To: message.to, From: options.from, Body: message.body }).toString(),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const code = networkCode(error);
        if (code && NOT_SENT.has(code))
          return {
            accepted: false,
            permanent: false,
            code: 'SMS_UNAVAILABLE',
            message: `SMS provider unreachable: ${code}`,
          };
        return {
          accepted: false,
          permanent: false,
          code: 'SMS_OUTCOME_UNKNOWN',
          message: `no answer from the SMS provider: ${code ?? 'request failed'}`,
        };
      }
      let body: unknown = undefined;
      try {
        body = await response.json();
      } catch {
        // A body that is not JSON: the status decides.
      }
      return mapSmsResponse(response.status, body, response.headers.get('retry-after'));
    },
  };
}
