import { describe, expect, it } from 'vitest';
import { buildSlackAlertMessage, sectionTexts } from '../../../../channels/slack/alert-message.js';
import {
  customerResponseActionId,
  readCustomerResponseActionId,
  RESPONSE_BLOCK_ID,
} from '../../../../channels/slack/customer-response-ids.js';
import { escapeMrkdwn, markdownToMrkdwn } from '../../../../channels/slack/mrkdwn.js';
import { CUSTOMER_ANSWERS } from '../../../../domain/vocabulary/index.js';
import { validateMessage } from '../../../../sandbox/slack/validate.js';

const ALERT = {
  id: 'alr_01jdz0000000000000000000ab',
  title: 'Rates move: fixed deposits up 0.25%',
  body: 'Our **fixed deposit** rates rise on *Monday*.\n\n- 12 months: 3.10%\n- 24 months: 3.35%\n\nDetails: https://bank.example/rates',
};
const TOKEN = 'tok0000000001.AbCdEfGhIjKlMnOpQrStUv';

type Block = { type: string; text?: { text: string }; elements?: Record<string, unknown>[]; block_id?: string };
const blocksOf = (m: ReturnType<typeof buildSlackAlertMessage>) => m.blocks as unknown as Block[];
const sectionText = (m: ReturnType<typeof buildSlackAlertMessage>) =>
  blocksOf(m)
    .filter((b) => b.type === 'section')
    .map((b) => b.text!.text)
    .join('\n\n');

describe('the alert as a Slack DM', () => {
  it('is valid Block Kit: a header, the body as mrkdwn, and the four answer buttons carrying the signed token', () => {
    const message = buildSlackAlertMessage(ALERT, TOKEN);
    expect(validateMessage(message as never, 40_000)).toEqual({ problems: [], textTooLong: false });
    const blocks = blocksOf(message);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: ALERT.title } });
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(actions.block_id).toBe(RESPONSE_BLOCK_ID);
    expect(actions.elements!.map((e) => e.action_id)).toEqual(CUSTOMER_ANSWERS.map(customerResponseActionId));
    expect(actions.elements!.every((e) => e.value === TOKEN)).toBe(true);
    expect(message.text).toBe(ALERT.title);
    expect(message.unfurl_links).toBe(false);
  });

  it('greets the contact by name when known, escaped, before the body', () => {
    expect(sectionText(buildSlackAlertMessage(ALERT, TOKEN, 'Joe'))).toMatch(/^Hello Joe,\n\nOur \*fixed deposit\*/);
    expect(sectionText(buildSlackAlertMessage(ALERT, TOKEN, '<!channel> *Joe*'))).toMatch(
      /^Hello &lt;!channel&gt; \*Joe\*,/,
    );
    expect(sectionText(buildSlackAlertMessage(ALERT, TOKEN, null))).toMatch(/^Our /);
  });

  it('renders the markdown subset as mrkdwn', () => {
    expect(markdownToMrkdwn(ALERT.body)).toEqual([
      'Our *fixed deposit* rates rise on _Monday_.',
      '• 12 months: 3.10%\n• 24 months: 3.35%',
      'Details: <https://bank.example/rates>',
    ]);
    expect(markdownToMrkdwn('See [the rates](https://bank.example/r?a=1&b=2) now')).toEqual([
      'See <https://bank.example/r?a=1&b=2|the rates> now',
    ]);
  });

  it('keeps mentions, broadcasts, links and HTML in the text inert', () => {
    const body =
      'Hi <!channel> and <@U0BOSS> <script>alert(1)</script> & <https://evil.example|bank.example> ' +
      '[x|y>z](javascript:alert(1)) [ok](https://bank.example/a>b|c)';
    const text = sectionText(buildSlackAlertMessage({ ...ALERT, body }, TOKEN));
    // Every '<' in the result opens a link we built; none of the sender's own survive.
    expect(text).not.toMatch(/<!channel>|<@U0BOSS>|<script>|<https:\/\/evil/);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp;');
    expect(text).toContain('[x|y&gt;z](javascript:alert(1))');
    expect(text).toContain('<https://bank.example/a%3Eb%7Cc|ok>');
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('keeps a hostile title on one line in a plain-text header', () => {
    const message = buildSlackAlertMessage({ ...ALERT, title: 'Big\n*news* <!here>\r\nnow' }, TOKEN);
    expect(blocksOf(message)[0]!.text!.text).toBe('Big *news* <!here> now');
    expect(message.text).toBe('Big *news* &lt;!here&gt; now');
  });

  it('stays inside Slack limits for the longest body and title an alert may have', () => {
    const paragraph = `${'Lorem ipsum & <dolor> sit amet. '.repeat(40)}[link](https://bank.example/${'x'.repeat(50)})`;
    const body = Array.from({ length: 20 }, () => paragraph)
      .join('\n\n')
      .slice(0, 20_000);
    const message = buildSlackAlertMessage({ ...ALERT, title: 'T'.repeat(300), body }, TOKEN);
    expect(validateMessage(message as never, 40_000)).toEqual({ problems: [], textTooLong: false });
    const blocks = blocksOf(message);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    for (const b of blocks.filter((x) => x.type === 'section')) expect(b.text!.text.length).toBeLessThanOrEqual(3000);

    // 20,000 ampersands become 100,000 characters of entities: still 50 blocks, cut with an ellipsis.
    const worst = buildSlackAlertMessage({ ...ALERT, body: '&'.repeat(20_000) }, TOKEN);
    expect(validateMessage(worst as never, 40_000).problems).toEqual([]);
    expect(blocksOf(worst).length).toBeLessThanOrEqual(50);
  });

  it('splits long text without breaking a link or an entity', () => {
    for (const [line, next] of [
      [`${'a'.repeat(2997)}&amp; rest`, '&amp;'],
      [`${'a'.repeat(2995)}<https://bank.example|rates> end`, '<https://'],
    ] as const) {
      const pieces = sectionTexts([line], 3000);
      expect(pieces.every((p) => p.length <= 3000)).toBe(true);
      expect(pieces.join('')).toBe(line);
      expect(pieces[1]!.startsWith(next)).toBe(true);
    }
    expect(sectionTexts(['one', 'two'], 3000)).toEqual(['one\n\ntwo']);
  });

  it('reads the answer back from the button action id and nothing else', () => {
    expect(readCustomerResponseActionId(customerResponseActionId('call-me'))).toBe('call-me');
    expect(readCustomerResponseActionId('alert_customer_response:delete-all')).toBeNull();
    expect(readCustomerResponseActionId('alert_approve')).toBeNull();
  });
});
