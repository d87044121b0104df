import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateBlocks, validateView } from '../../../sandbox/slack/validate.js';
import { COMMANDS, SHORTCUTS } from '../../../slack-app/ids.js';

const manifest = JSON.parse(readFileSync(new URL('../../../slack-app/manifest.json', import.meta.url), 'utf8')) as {
  features: {
    slash_commands: { command: string; url: string }[];
    shortcuts: { callback_id: string; type: string; name: string }[];
    app_home: { home_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string };
  };
};

describe('Slack app manifest', () => {
  it('declares the commands and shortcuts the listeners handle, all on /slack/events', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(
      [COMMANDS.alert, COMMANDS.customer, COMMANDS.touch].sort(),
    );
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual(Object.values(SHORTCUTS).sort());
    expect(manifest.features.shortcuts.every((s) => s.name.length <= 24)).toBe(true);
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ];
    expect(new Set(urls.map((u) => new URL(u).pathname))).toEqual(new Set(['/slack/events']));
  });

  it('asks for the scopes the code uses, App Home and its event', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email']),
    );
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});

describe('Slack stand-in validator refuses what Slack refuses', () => {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  it.each([
    ['51 blocks in a message', Array.from({ length: 51 }, () => section('a')), 'no more than 50'],
    ['section text over 3,000', [section('x'.repeat(3001))], 'less than 3001'],
    ['empty text', [section('')], 'more than 0'],
    ['unknown block type', [{ type: 'banner' }], 'valid enum'],
    [
      '11 fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      'no more than 10',
    ],
    [
      'duplicate block_id',
      [
        { ...section('a'), block_id: 'x' },
        { ...section('b'), block_id: 'x' },
      ],
      'unique',
    ],
    ['block_id over 255', [{ ...section('a'), block_id: 'x'.repeat(256) }], 'less than 256'],
    ['mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'plain_text'],
    [
      'button text over 75',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }],
        },
      ],
      'less than 76',
    ],
  ])('%s', (_name, blocks, message) => {
    const problems = validateBlocks(blocks, 'message');
    expect(problems.join('\n')).toContain(message);
  });

  it('modal title over 24 characters, inputs without submit, 101 blocks, metadata over 3,000', () => {
    const input = {
      type: 'input',
      label: { type: 'plain_text', text: 'L' },
      element: { type: 'plain_text_input', action_id: 'a' },
    };
    const problems = validateView({
      type: 'modal',
      title: { type: 'plain_text', text: 'x'.repeat(25) },
      private_metadata: 'x'.repeat(3001),
      blocks: Array.from({ length: 101 }, (_, i) => ({ ...input, block_id: `b${i}` })),
    }).problems.join('\n');
    expect(problems).toContain('/view/title/text');
    expect(problems).toContain('/view/submit');
    expect(problems).toContain('no more than 100');
    expect(problems).toContain('/view/private_metadata');
  });

  it('flags a view over 250 KB as too large', () => {
    const blocks = Array.from({ length: 100 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'x'.repeat(2999) },
    }));
    expect(validateView({ type: 'home', blocks }).tooLarge).toBe(true);
  });
});
