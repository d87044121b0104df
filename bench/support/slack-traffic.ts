import type { CrmContact } from '../../crm/port.js';
import type { SlackStandIn } from '../../sandbox/slack/index.js';
import { touchModal } from '../../slack-app/blocks/touch-modal.js';
import { ACTIONS, COMMANDS, SHORTCUTS, TOUCH_BLOCKS, VIEWS } from '../../slack-app/ids.js';
import {
  eventCallbackBody,
  interactionBody,
  signatureHeaders,
  slashCommandBody,
  TEAM,
} from '../../testkit/slack-requests.js';
import type { Prepared } from './slack-client.js';
import { BOT_TOKEN, SIGNING_SECRET, USERS } from './slack-workspace.js';

/** The kinds of request Slack sends Rapport, as the bench names them. */
export type Kind =
  | 'slash_touch'
  | 'slash_customer'
  | 'block_suggestion'
  | 'block_actions'
  | 'view_submission'
  | 'message_shortcut'
  | 'global_shortcut'
  | 'event_app_home_opened';

export const KINDS: Kind[] = [
  'slash_touch',
  'slash_customer',
  'block_suggestion',
  'block_actions',
  'view_submission',
  'message_shortcut',
  'global_shortcut',
  'event_app_home_opened',
];

/** What each request of a kind should cause after ack(), to wait for and to check. */
export const FOLLOW_UP: Record<Kind, { method?: string; responseUrl?: boolean }> = {
  slash_touch: { method: 'views.open' },
  slash_customer: { responseUrl: true },
  block_suggestion: {},
  block_actions: { method: 'views.update' },
  view_submission: { method: 'chat.postEphemeral' },
  message_shortcut: { method: 'views.open' },
  global_shortcut: { method: 'views.open' },
  event_app_home_opened: { method: 'views.publish' },
};

/** The customers the requests are about: from the sandbox's seeded book of business. */
export type Book = Pick<CrmContact, 'id' | 'email' | 'properties'>[];

/** What reps type into the customer picker: up to 12 names and companies from the book. */
export function pickerSearches(book: Book): string[] {
  return [
    ...new Set(
      book
        .flatMap((c) => [c.properties.firstname, c.properties.lastname, c.properties.company])
        .filter((s): s is string => !!s && s.length >= 2),
    ),
  ].slice(0, 12);
}

/**
 * Slack's requests to Rapport, built as Slack sends them: signed at preparation, with fresh
 * trigger_ids and response_urls from the Web API stand-in, from the reps in turn, about the book's
 * customers in turn.
 */
export function slackTraffic(slack: SlackStandIn, book: Book, searches: string[]) {
  const customer = (i: number) => book[i % book.length]!;
  const user = (i: number) => USERS[i % USERS.length]!;
  const run = Date.now().toString(36);
  let seq = 0;

  function signed(body: string, contentType: string): Prepared {
    return {
      method: 'POST',
      path: '/slack/events',
      headers: {
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(body)),
        ...signatureHeaders(body, SIGNING_SECRET),
      },
      body,
    };
  }
  const interaction = (payload: Record<string, unknown>) =>
    signed(interactionBody(payload), 'application/x-www-form-urlencoded');

  function command(name: string, i: number, text: string): Prepared {
    const responseUrl = slack.responseUrl();
    const body = slashCommandBody({
      command: name,
      text,
      userId: user(i).id,
      userName: user(i).name,
      channelId: 'C0SALES',
      responseUrl,
      triggerId: slack.trigger(),
    });
    return signed(body, 'application/x-www-form-urlencoded');
  }

  /** Modals as the touch modal looks when a user picks a customer in it (opened during set-up). */
  async function openModals(count: number) {
    const opened: { id: string; hash: string; private_metadata: string }[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${slack.apiUrl}views.open`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          trigger_id: slack.trigger(),
          view: touchModal({ metadata: { channelId: 'C0SALES', questionIds: [] }, questions: 'pick' }),
        }),
      });
      const body = (await res.json()) as { ok: boolean; view: { id: string; hash: string; private_metadata: string } };
      if (!body.ok) throw new Error(`set-up views.open failed: ${JSON.stringify(body)}`);
      opened.push(body.view);
    }
    return opened;
  }

  /** Builds `count` requests of one kind, signed now, with fresh trigger_ids. */
  async function prepare(kind: Kind, count: number): Promise<Prepared[]> {
    const views = kind === 'block_actions' ? await openModals(count) : [];
    return Array.from({ length: count }, (_, i) => {
      const c = customer(i);
      const n = ++seq;
      switch (kind) {
        case 'slash_touch':
          return command(COMMANDS.touch, i, c.email!);
        case 'slash_customer':
          return command(COMMANDS.customer, i, c.email!);
        case 'block_suggestion':
          return interaction({
            type: 'block_suggestion',
            user: { id: user(i).id },
            action_id: ACTIONS.customerSelect,
            block_id: TOUCH_BLOCKS.customer,
            value: searches[i % searches.length] ?? 'Acme',
            container: { type: 'view', view_id: `V0SUGGEST${n}` },
          });
        case 'block_actions': {
          const view = views[i]!;
          const option = { text: { type: 'plain_text', text: c.email! }, value: c.id };
          return interaction({
            type: 'block_actions',
            user: { id: user(i).id },
            trigger_id: slack.trigger(),
            container: { type: 'view', view_id: view.id },
            view: {
              id: view.id,
              hash: view.hash,
              type: 'modal',
              team_id: TEAM.id,
              callback_id: VIEWS.logTouch,
              private_metadata: view.private_metadata,
              state: { values: {} },
            },
            actions: [
              {
                type: 'external_select',
                action_id: ACTIONS.customerSelect,
                block_id: TOUCH_BLOCKS.customer,
                selected_option: option,
                action_ts: `${Date.now() / 1000}`,
              },
            ],
          });
        }
        case 'view_submission':
          return interaction({
            type: 'view_submission',
            user: { id: user(i).id },
            view: {
              id: `V0BENCH${run}${n}`,
              hash: `${n}.h`,
              type: 'modal',
              team_id: TEAM.id,
              callback_id: VIEWS.logTouch,
              private_metadata: JSON.stringify({ channelId: 'C0SALES', questionIds: [] }),
              state: {
                values: {
                  [TOUCH_BLOCKS.customer]: {
                    [ACTIONS.customerSelect]: {
                      type: 'external_select',
                      selected_option: { text: { type: 'plain_text', text: c.email! }, value: c.id },
                    },
                  },
                  [TOUCH_BLOCKS.channel]: {
                    [ACTIONS.channelSelect]: { type: 'static_select', selected_option: { value: 'call' } },
                  },
                  [TOUCH_BLOCKS.summary]: {
                    [ACTIONS.summaryInput]: { type: 'plain_text_input', value: `Bench call ${run}-${n} about renewal` },
                  },
                },
              },
            },
          });
        case 'message_shortcut':
          return interaction({
            type: 'message_action',
            callback_id: SHORTCUTS.logMessageAsTouch,
            trigger_id: slack.trigger(),
            user: { id: user(i).id },
            channel: { id: 'C0SALES', name: 'sales' },
            message: { type: 'message', user: 'U0BOB', ts: `1732400000.${n}`, text: `${c.email} asked for a quote` },
            message_ts: `1732400000.${n}`,
            response_url: slack.responseUrl(),
          });
        case 'global_shortcut':
          return interaction({
            type: 'shortcut',
            callback_id: SHORTCUTS.logTouch,
            trigger_id: slack.trigger(),
            user: { id: user(i).id },
          });
        case 'event_app_home_opened':
          return signed(
            eventCallbackBody(
              { type: 'app_home_opened', user: user(i).id, channel: 'D0HOME', tab: 'home', event_ts: `${n}.1` },
              `Ev0BENCH${run}${n}`,
            ),
            'application/json',
          );
      }
    });
  }

  return { prepare };
}
