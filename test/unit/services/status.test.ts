import { describe, expect, it } from 'vitest';
import { statusReportSchema } from '../../../contracts/health.js';
import { CrmError } from '../../../crm/port.js';
import { checkCrm, createStatusReporter, type StatusDeps } from '../../../services/status.js';

const ok = async () => undefined;
const fine = { reachable: true, paused: false };

function deps(overrides: Partial<StatusDeps> = {}): StatusDeps {
  return {
    store: ok,
    temporal: ok,
    crm: { configured: true, target: 'api.hubapi.com', check: async () => fine },
    channels: {
      email: { configured: true, target: 'smtp.example.com:587', check: async () => fine },
      slack: { configured: false, target: 'off: set SLACK_BOT_TOKEN' },
      sms: { configured: true, target: 'api.twilio.com', check: async () => fine },
    },
    ...overrides,
  };
}

describe('the status report', () => {
  it('all answering: ok, and a channel that is off is no problem', async () => {
    const report = await createStatusReporter(deps()).report();
    expect(statusReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      status: 'ok',
      ready: true,
      crm: { state: 'ok', reachable: true, paused: false, configured: true },
      channels: { slack: { state: 'off', reachable: null, configured: false } },
    });
  });

  it('the CRM down, a channel paused by its provider, one failing: degraded but still ready', async () => {
    const report = await createStatusReporter(
      deps({
        crm: {
          configured: true,
          target: 'api.hubapi.com',
          check: async () => ({ reachable: false, paused: false, problem: 'connect ECONNREFUSED' }),
        },
        channels: {
          email: {
            configured: true,
            target: 'smtp',
            check: async () => ({ reachable: true, paused: true, problem: 'SMTP 421 too many connections' }),
          },
          slack: {
            configured: true,
            target: 'slack.com',
            check: async () => ({ reachable: true, paused: false, problem: 'Slack refused the app: invalid_auth' }),
          },
          sms: { configured: true, target: 'twilio', check: () => Promise.reject(new Error('boom\nstack')) },
        },
      }),
    ).report();
    expect(report.status).toBe('degraded');
    expect(report.ready).toBe(true);
    expect(report.crm).toMatchObject({ state: 'unreachable', reachable: false, problem: 'connect ECONNREFUSED' });
    expect(report.channels.email).toMatchObject({ state: 'paused', paused: true });
    expect(report.channels.slack).toMatchObject({ state: 'failing', reachable: true });
    expect(report.channels.sms).toMatchObject({ state: 'unreachable', problem: 'boom' });
  });

  it('a check that hangs is cut at the timeout; store or Temporal down: not ready', async () => {
    const started = Date.now();
    const report = await createStatusReporter({
      ...deps({
        store: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:5432')),
        crm: { configured: true, target: 'x', check: () => new Promise(() => undefined) },
      }),
      timeoutMs: 100,
    }).report();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report).toMatchObject({
      status: 'degraded',
      ready: false,
      store: { ok: false, error: 'ECONNREFUSED 127.0.0.1:5432' },
      temporal: { ok: true },
      crm: { state: 'unreachable', problem: 'no answer within 100 ms' },
    });
  });

  it('checks run at most once per cacheMs, and concurrent requests share one round', async () => {
    let checks = 0;
    let t = 0;
    const reporter = createStatusReporter({
      ...deps({
        crm: {
          configured: true,
          target: 'x',
          check: async () => {
            checks++;
            return fine;
          },
        },
      }),
      cacheMs: 10_000,
      now: () => t,
    });
    await Promise.all([reporter.report(), reporter.report(), reporter.report()]);
    t = 9_999;
    await reporter.report();
    expect(checks).toBe(1);
    t = 10_000;
    await reporter.report();
    expect(checks).toBe(2);
  });

  it('lists the singleton jobs held now and marks those of this process', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    const past = new Date(Date.now() - 1_000).toISOString();
    const lease = (name: string, holder: string, expiresAt: string) => ({
      name,
      holder,
      expiresAt,
      acquiredAt: past,
      renewedAt: past,
    });
    const report = await createStatusReporter({
      ...deps(),
      jobs: {
        holder: 'me',
        list: async () => [
          lease('contact-sync', 'me', future),
          lease('slack-alert-messages', 'other', future),
          lease('slack-follow-ups', 'dead', past),
        ],
      },
    }).report();
    expect(report.jobs).toEqual([
      { name: 'contact-sync', holder: 'me', expiresAt: future, here: true },
      { name: 'slack-alert-messages', holder: 'other', expiresAt: future, here: false },
    ]);
  });
});

describe('checkCrm', () => {
  const failing = (error: unknown) => checkCrm({ ping: () => Promise.reject(error) })();

  it('maps the CRM port errors: 429 paused, no answer unreachable, refusal failing', async () => {
    expect(await checkCrm({ ping: ok })()).toEqual(fine);
    const limited = await failing(new CrmError('CRM_RATE_LIMITED', 'Too many requests', 429, 5_000));
    expect(limited).toMatchObject({ reachable: true, paused: true, problem: 'HubSpot rate limit' });
    expect(Date.parse(limited.pausedUntil!)).toBeGreaterThan(Date.now());
    expect(await failing(new CrmError('CRM_UNAVAILABLE', 'connect ECONNREFUSED'))).toEqual({
      reachable: false,
      paused: false,
      problem: 'connect ECONNREFUSED',
    });
    expect(await failing(new CrmError('CRM_UNAVAILABLE', 'Bad gateway', 502))).toMatchObject({ reachable: true });
    expect(await failing(new CrmError('CRM_AUTH', 'The token is expired', 401))).toEqual({
      reachable: true,
      paused: false,
      problem: 'The token is expired',
    });
  });
});
