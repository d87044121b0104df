import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';
import { createSlackApp, slackSettingsFromEnv, type SlackDeps } from '../../../slack-app/index.js';
import { crmContactUrlFrom } from '../../../slack-app/runtime.js';

describe('Slack settings', () => {
  it('without tokens Slack is off, with one notice naming what is missing', () => {
    const off = slackSettingsFromEnv(loadEnv({}));
    expect(off).toEqual({ off: expect.stringContaining('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET') });
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-12345678' })).toEqual({
      off: expect.stringContaining('set SLACK_SIGNING_SECRET'),
    });
  });

  it('with both it is on; SLACK_APP_TOKEN selects Socket Mode', () => {
    const env = loadEnv({
      SLACK_BOT_TOKEN: 'xoxb-1234-5678',
      SLACK_SIGNING_SECRET: 'a'.repeat(32),
      SLACK_APP_TOKEN: 'xapp-1-A0-abc',
    });
    expect(slackSettingsFromEnv(env)).toEqual({
      settings: {
        botToken: 'xoxb-1234-5678',
        signingSecret: 'a'.repeat(32),
        appToken: 'xapp-1-A0-abc',
        apiUrl: undefined,
      },
    });
  });

  it.each([
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 'a'.repeat(32) }],
    ['SLACK_SIGNING_SECRET', { SLACK_BOT_TOKEN: 'xoxb-1234-5678', SLACK_SIGNING_SECRET: 'short' }],
    ['SLACK_APP_TOKEN', { SLACK_APP_TOKEN: 'xoxb-not-an-app-token' }],
    ['SLACK_BOT_TOKEN', { SLACK_APP_TOKEN: 'xapp-1-A0-abcdef' }],
    ['SLACK_API_URL', { SLACK_API_URL: 'not a url' }],
    ['SLACK_CRM_CONTACT_URL', { SLACK_CRM_CONTACT_URL: 'https://app.hubspot.com/contacts/1/record/0-1/' }],
  ])('a wrong %s stops start-up naming it, never echoing the value', (variable, source) => {
    try {
      loadEnv(source);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toContain(variable);
      for (const value of Object.values(source)) expect((error as Error).message).not.toContain(value);
    }
  });

  it('CRM links: the template, else the sandbox record, else none for HubSpot without a template', () => {
    expect(crmContactUrlFrom('https://app.hubspot.com/contacts/42/record/0-1/{id}', undefined)('101')).toBe(
      'https://app.hubspot.com/contacts/42/record/0-1/101',
    );
    expect(crmContactUrlFrom(undefined, 'http://127.0.0.1:3100/')('7')).toBe(
      'http://127.0.0.1:3100/crm/v3/objects/contacts/7',
    );
    expect(crmContactUrlFrom(undefined, 'https://api.hubapi.com')('7')).toBeUndefined();
  });
});

describe('createSlackApp', () => {
  const deps = {
    intake: { submit: () => Promise.reject(new Error('unused')) },
    context: () => Promise.reject(new Error('unused')),
    contacts: { byId: () => Promise.resolve(null), byEmail: () => Promise.resolve(null) },
    crm: { getContacts: () => Promise.resolve([]) },
    searchContacts: () => Promise.resolve([]),
    questions: [],
    recentTouches: () => Promise.resolve({ rows: [], total: 0 }),
    crmContactUrl: () => undefined,
    logger: pino({ level: 'silent' }),
  } as unknown as SlackDeps;

  it('runs over HTTP by default and in Socket Mode with an app token (no HTTP endpoint then)', async () => {
    const http = createSlackApp({ botToken: 'xoxb-1234-5678', signingSecret: 's'.repeat(32) }, deps);
    expect(http.mode).toBe('http');
    const unsigned = await http.handle(new Request('http://x/slack/events', { method: 'POST', body: '{}' }));
    expect(unsigned.status).toBe(401);

    const socket = createSlackApp(
      { botToken: 'xoxb-1234-5678', signingSecret: 's'.repeat(32), appToken: 'xapp-1-A-1' },
      deps,
    );
    expect(socket.mode).toBe('socket');
    expect((await socket.handle(new Request('http://x/slack/events', { method: 'POST', body: '{}' }))).status).toBe(
      404,
    );
  });
});
