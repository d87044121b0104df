import { randomBytes, timingSafeEqual } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { twilioSignature } from '../../channels/sms/twilio-signature.js';
import { createFaults, defaultCode, type SmsFault } from './faults.js';
import { outboxPage, type SentSms } from './outbox-page.js';

export type { SmsFault } from './faults.js';
export type { SentSms } from './outbox-page.js';

/**
 * A local stand-in for an SMS provider speaking Twilio's Messages API shape, for demos and
 * tests: POST {apiUrl}/Accounts/{sid}/Messages.json (form: To, From, Body; basic auth sid:token)
 * answers 201 with a message sid, or Twilio's error bodies `{code, message, more_info, status}`.
 * It records what it accepted, shows them at GET / (the outbox page), checks E.164, sender and
 * credentials, limits the rate (429 + Retry-After), dedupes on Idempotency-Key, and fails on request.
 */
export interface SmsStandInOptions {
  port?: number;
  host?: string;
  /** Default: a fixed local account sid. */
  accountSid?: string;
  /** Default: generated; read it from the returned `authToken`. */
  authToken?: string;
  /** Accepted From values; any when unset. */
  senders?: string[];
  /** Texts per second the account may send; beyond that 429 with code 20429 (default 10). */
  ratePerSecond?: number;
  /** Numbers that refuse texts, with the Twilio code they answer: 21610 (replied STOP), 21612, 21614. */
  unreachable?: Record<string, number>;
  /** Delay before every answer (default 0). */
  latencyMs?: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY = 1600;
// The GSM 03.38 basic character set: texts made of it take 160 characters a segment (153 when concatenated).
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;

export function segmentsOf(body: string): number {
  const gsm = GSM7.test(body);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  return body.length <= single ? 1 : Math.ceil(body.length / part);
}

const error = (c: Context, status: number, code: number, message: string, headers: Record<string, string> = {}) => {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    status as 400 | 401 | 404 | 429 | 500,
  );
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startSmsStandIn(options: SmsStandInOptions = {}) {
  const accountSid = options.accountSid ?? 'AC00000000000000000000000000rapport';
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const rate = options.ratePerSecond ?? 10;
  const senders = options.senders ? new Set(options.senders) : undefined;
  const unreachable = new Map(Object.entries(options.unreachable ?? {}));
  const faults = createFaults();
  const messages: SentSms[] = [];
  const byKey = new Map<string, Record<string, unknown>>();
  let recent: number[] = [];
  let rejected = 0;

  let accountStatus: 'active' | 'suspended' | 'closed' = 'active';

  const app = new Hono();
  app.get('/', (c) => c.html(outboxPage(messages)));
  // Fetch an Account: what Rapport's status check asks (is the account usable, or suspended?).
  app.get('/2010-04-01/Accounts/:file', (c) => {
    const file = c.req.param('file');
    if (!file.endsWith('.json')) return error(c, 404, 20404, 'The requested resource was not found');
    const [scheme, encoded] = (c.req.header('authorization') ?? '').split(' ');
    const [user = '', pass = ''] =
      scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':', 2) : [];
    if (user !== accountSid || !sameSecret(pass, authToken)) return error(c, 401, 20003, 'Authenticate');
    if (file.slice(0, -'.json'.length) !== accountSid)
      return error(c, 404, 20404, 'The requested resource was not found');
    return c.json({ sid: accountSid, friendly_name: 'Rapport stand-in', status: accountStatus, type: 'Full' });
  });
  app.get('/messages.json', (c) => c.json({ messages }));
  app.post('/2010-04-01/Accounts/:sid/Messages.json', async (c) => {
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const [scheme, encoded] = (c.req.header('authorization') ?? '').split(' ');
    const [user = '', pass = ''] =
      scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':', 2) : [];
    if (user !== accountSid || !sameSecret(pass, authToken)) {
      rejected += 1;
      return error(c, 401, 20003, 'Authenticate');
    }
    if (c.req.param('sid') !== accountSid) return error(c, 404, 20404, 'The requested resource was not found');
    const form = new URLSearchParams(await c.req.text());
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';

    const key = c.req.header('idempotency-key');
    const earlier = key ? byKey.get(key) : undefined;
    if (earlier) return c.json(earlier, 200);

    const fault = faults.take(to);
    if (fault) {
      rejected += 1;
      const code = fault.code ?? defaultCode(fault.status);
      const headers: Record<string, string> =
        fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds ?? 1) } : {};
      return error(c, fault.status, code, `Simulated failure (${code})`, headers);
    }
    const now = Date.now();
    recent = recent.filter((t) => now - t < 1000);
    if (recent.length >= rate) {
      rejected += 1;
      return error(c, 429, 20429, 'Too Many Requests', { 'retry-after': '1' });
    }
    if (!to) return error(c, 400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return error(c, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return error(c, 400, 21603, "A 'From' phone number is required.");
    if (senders && !senders.has(from))
      return error(
        c,
        400,
        21212,
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      );
    if (!body) return error(c, 400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY)
      return error(c, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const refusal = unreachable.get(to);
    if (refusal !== undefined) return error(c, 400, refusal, `The 'To' number ${to} cannot receive this message.`);

    recent.push(now);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const sent: SentSms = {
      sid,
      to,
      from,
      body,
      segments: segmentsOf(body),
      reference: key ?? null,
      at: new Date(now).toISOString(),
    };
    messages.push(sent);
    const answer = {
      sid,
      account_sid: accountSid,
      to,
      from,
      body,
      status: 'queued',
      num_segments: String(sent.segments),
      direction: 'outbound-api',
      date_created: new Date(now).toUTCString(),
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      error_code: null,
      error_message: null,
    };
    if (key) byKey.set(key, answer);
    return c.json(answer, 201);
  });

  const host = options.host ?? '127.0.0.1';
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host}:${port}`;

  return {
    url,
    /** Give this to Rapport as SMS_API_URL. */
    apiUrl: `${url}/2010-04-01`,
    /** The outbox page. */
    outboxUrl: `${url}/`,
    accountSid,
    authToken,
    /** Every text accepted, in order. */
    messages,
    messagesTo: (to: string) => messages.filter((m) => m.to === to),
    /** Requests answered with an error (auth, faults, rate limit). */
    rejectedCount: () => rejected,
    fail(fault: SmsFault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    /** What GET /Accounts/{sid}.json says: a suspended account is how a provider pauses a sender. */
    setAccountStatus(status: 'active' | 'suspended' | 'closed') {
      accountStatus = status;
    },
    /**
     * A customer texting `to` (default: the first sender) from `from`: Twilio's incoming-message
     * webhook to `webhookUrl` (the number's messaging webhook), form-encoded and signed with this
     * account's auth token, as a Request to send (or hand to an in-process app).
     */
    webhookRequest(text: { webhookUrl: string; from: string; body: string; to?: string }): Request {
      const params: Record<string, string> = {
        MessageSid: `SM${randomBytes(16).toString('hex')}`,
        AccountSid: accountSid,
        From: text.from,
        To: text.to ?? options.senders?.[0] ?? '+15005550006',
        Body: text.body,
        NumMedia: '0',
      };
      return new Request(text.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(authToken, text.webhookUrl, params),
        },
        body: new URLSearchParams(params),
      });
    },
    reset() {
      messages.length = 0;
      byKey.clear();
      recent = [];
      rejected = 0;
      faults.clear();
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

export type SmsStandIn = Awaited<ReturnType<typeof startSmsStandIn>>;
