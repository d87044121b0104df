import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';
import { capLookbackHours, checkFrequencyCap } from '../../../domain/audience/frequency-cap.js';
import { contactPolicyFromEnv } from '../../../services/broadcast-services.js';

describe('alert configuration', () => {
  it('has working defaults for npm start', () => {
    const env = loadEnv({});
    expect(env.APPROVER_GROUPS).toEqual({ alerts: ['approver@rapport.example', 'officer@rapport.example'] });
    expect(env.ALERT_QUIET_HOURS).toEqual({ start: '21:00', end: '08:00' });
    expect(contactPolicyFromEnv(env)).toMatchObject({ frequencyCap: { maxPerWindow: 5, windowHours: 168 } });
  });

  it('parses approver groups, caps and quiet hours', () => {
    const env = loadEnv({
      APPROVER_GROUPS: 'risk = A@Bank.example, b@bank.example ; ops=c@bank.example',
      ALERT_FREQUENCY_CAP: '2/24',
      ALERT_QUIET_HOURS: 'off',
    });
    expect(env.APPROVER_GROUPS).toEqual({ risk: ['a@bank.example', 'b@bank.example'], ops: ['c@bank.example'] });
    expect(env.ALERT_FREQUENCY_CAP).toEqual({ maxPerWindow: 2, windowHours: 24 });
    expect(contactPolicyFromEnv(env).quietHours).toBeNull();
  });

  it('maps alert topics to HubSpot subscription types for the policy (none by default)', () => {
    expect(contactPolicyFromEnv(loadEnv({})).subscriptionTypes).toEqual({});
    expect(loadEnv({}).HUBSPOT_PREFERENCES_API).toBe('auto');
    const env = loadEnv({ HUBSPOT_SUBSCRIPTION_TYPES: 'Rates=123456; *=all' });
    expect(contactPolicyFromEnv(env).subscriptionTypes).toEqual({
      rates: { kind: 'type', id: '123456' },
      '*': { kind: 'all' },
    });
  });

  it('takes caps per topic after the overall one, and the policy applies them', () => {
    const env = loadEnv({ ALERT_FREQUENCY_CAP: '5/168; Rates=1/24 ;promotions=0/720' });
    expect(env.ALERT_FREQUENCY_CAP).toEqual({
      maxPerWindow: 5,
      windowHours: 168,
      perTopic: { rates: { maxPerWindow: 1, windowHours: 24 }, promotions: { maxPerWindow: 0, windowHours: 720 } },
    });
    const cap = contactPolicyFromEnv(env).frequencyCap!;
    const now = new Date('2026-12-02T12:00:00Z');
    const yesterdayRates = {
      recentSends: [{ alertId: 'a1', topic: 'rates', sentAt: '2026-12-02T06:00:00Z' }],
      inFlight: [],
    };
    expect(checkFrequencyCap([yesterdayRates], { id: 'a2', topic: 'RATES' }, cap, now).capped).toBe(true);
    expect(checkFrequencyCap([yesterdayRates], { id: 'a2', topic: 'fx' }, cap, now).capped).toBe(false);
    // The history a check needs reaches back to the longest window, a topic's included.
    expect(capLookbackHours(cap)).toBe(720);
  });

  it.each([
    ['APPROVER_GROUPS', 'risk'],
    ['APPROVER_GROUPS', 'risk=not-an-email'],
    ['ALERT_FREQUENCY_CAP', 'often'],
    ['ALERT_FREQUENCY_CAP', '5/168;rates'],
    ['ALERT_FREQUENCY_CAP', '5/168;=1/24'],
    ['ALERT_QUIET_HOURS', '9pm-8am'],
    ['HUBSPOT_SUBSCRIPTION_TYPES', 'rates=abc'],
    ['HUBSPOT_SUBSCRIPTION_TYPES', 'rates=1;Rates=2'],
    ['HUBSPOT_PREFERENCES_API', 'v5'],
    ['SMTP_URL', 'http://mail.example'],
    ['RAPPORT_SECRET', 'short'],
    ['REPLY_DOMAIN', 'not a domain'],
  ])('names %s when it is wrong, without echoing the value', (variable, value) => {
    try {
      loadEnv({ [variable]: value });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(variable);
      expect((error as ConfigError).message).not.toContain(value);
    }
  });
});
