import { describe, expect, it } from 'vitest';
import { DEFAULT_QUESTIONS } from '../../../../domain/questions.js';
import { validateBlocks, validateView } from '../../../../sandbox/slack/validate.js';
import { contextCard, contextNotFound, type CustomerContextData } from '../../../../slack-app/blocks/context-card.js';
import { homeView, type HomeTouch } from '../../../../slack-app/blocks/home.js';
import { SLACK_LIMITS } from '../../../../channels/slack/limits.js';
import { problemMessage, touchConfirmation } from '../../../../slack-app/blocks/messages.js';
import {
  customerOption,
  parseTouchSubmission,
  readTouchMetadata,
  touchModal,
  type ViewState,
} from '../../../../slack-app/blocks/touch-modal.js';
import { ACTIONS, HOME_BLOCKS, TOUCH_BLOCKS, VIEWS } from '../../../../slack-app/ids.js';

const long = (n: number) => 'x'.repeat(n);
const ALERT_ID = 'alr_01jdz0000000000000000000ab';

function context(overrides: Partial<CustomerContextData> = {}): CustomerContextData {
  return {
    contact: {
      id: '101',
      email: 'joe.smith@acme-logistics.example',
      firstName: 'Joe',
      lastName: 'Smith',
      jobtitle: 'COO',
      phone: '+1 212 555 0101',
      hs_timezone: null,
      rapport_preferred_channel: 'email',
      hs_email_optout: null,
    },
    owner: { id: '61000001', email: 'alice.moreau@rapport-demo.example', firstName: 'Alice', lastName: 'Moreau' },
    company: { id: '5001', name: 'Acme Logistics', domain: 'acme-logistics.example' },
    segments: {
      valueTier: { tier: 'gold', totalRevenue: 250000, reason: 'lifetime revenue 250,000 >= 100,000' },
      lastPurchase: { date: '2026-11-12', daysAgo: 12, recency: 'recent' },
      relationship: { since: '2019-01-01', months: 70, label: '5 years' },
      lifecycleStage: 'customer',
    },
    timeline: Array.from({ length: 12 }, (_, i) => ({
      id: String(i),
      kind: i % 2 ? 'call' : 'note',
      at: new Date(Date.UTC(2026, 10, 20 - i)).toISOString(),
      title: i === 0 ? null : `Touch ${i}`,
      body: i === 0 ? `${long(5000)}\nsecond line` : 'body',
      source: 'crm' as const,
      status: 'synced' as const,
    })),
    nextQuestions: DEFAULT_QUESTIONS.slice(0, 2),
    ...overrides,
  } as CustomerContextData;
}

describe('log-a-touch modal', () => {
  it('is a valid modal before a customer is picked, with the picker searching the CRM', () => {
    const view = touchModal({ metadata: { channelId: 'C1', questionIds: [] }, questions: 'pick' });
    expect(validateView(view).problems).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.logTouch);
    const picker = view.blocks.find((b) => b.block_id === TOUCH_BLOCKS.customer);
    expect(picker).toMatchObject({
      type: 'input',
      dispatch_action: true,
      element: { type: 'external_select', action_id: ACTIONS.customerSelect },
    });
    expect(view.blocks.some((b) => b.block_id?.startsWith(TOUCH_BLOCKS.questionPrefix))).toBe(false);
  });

  it('shows at most two never-asked questions, choice questions as selects, and remembers their ids', () => {
    const view = touchModal({
      metadata: { questionIds: [] },
      customer: { id: '101', label: 'Joe Smith' },
      questions: DEFAULT_QUESTIONS,
    });
    expect(validateView(view).problems).toEqual([]);
    const questions = view.blocks.filter((b) => b.block_id?.startsWith(TOUCH_BLOCKS.questionPrefix));
    expect(questions).toHaveLength(2);
    expect(readTouchMetadata(view.private_metadata).questionIds).toEqual(['decision_maker', 'preferred_contact_time']);
    expect(questions[1]).toMatchObject({ element: { type: 'static_select' } });
  });

  it('clips a long message prefill and keeps the permalink in metadata within 3,000 chars', () => {
    const permalink = `https://acme.slack.com/archives/C1/p${'1'.repeat(16)}`;
    const view = touchModal({
      metadata: { channelId: 'C1', sourceUrl: permalink, questionIds: [] },
      summary: long(40_000),
      source: { permalink, author: 'U1' },
      questions: 'pick',
      occurredAt: '2026-11-24T10:00:00Z',
    });
    expect(validateView(view).problems).toEqual([]);
    expect(view.private_metadata!.length).toBeLessThanOrEqual(SLACK_LIMITS.privateMetadata);
    expect(readTouchMetadata(view.private_metadata).sourceUrl).toBe(permalink);
  });

  it('customer options stay within 75 characters', () => {
    const option = customerOption({
      id: '1',
      firstName: long(60),
      lastName: long(60),
      email: 'a@b.example',
      company: 'Co',
    });
    expect(option.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(customerOption({ id: '7', firstName: null, lastName: null, email: null }).text.text).toBe('Contact 7');
  });

  it('parses a submission into a touch, reading only the questions shown', () => {
    const state: ViewState = {
      [TOUCH_BLOCKS.customer]: {
        [ACTIONS.customerSelect]: { type: 'external_select', selected_option: { value: '101' } },
      },
      [TOUCH_BLOCKS.channel]: {
        [ACTIONS.channelSelect]: { type: 'static_select', selected_option: { value: 'meeting' } },
      },
      [TOUCH_BLOCKS.when]: { [ACTIONS.whenPicker]: { type: 'datetimepicker', selected_date_time: 1_700_000_000 } },
      [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: '  Renewal talk ' } },
      [TOUCH_BLOCKS.outcome]: { [ACTIONS.outcomeInput]: { type: 'plain_text_input', value: null } },
      [`${TOUCH_BLOCKS.questionPrefix}main_goal`]: {
        [ACTIONS.answerInput]: { type: 'plain_text_input', value: 'Speed' },
      },
      [`${TOUCH_BLOCKS.questionPrefix}competitors`]: {
        [ACTIONS.answerInput]: { type: 'plain_text_input', value: 'forged' },
      },
    };
    const parsed = parseTouchSubmission(state, { questionIds: ['main_goal'] });
    expect(parsed).toEqual({
      ok: true,
      touch: {
        contactId: '101',
        channel: 'meeting',
        occurredAt: new Date(1_700_000_000_000).toISOString(),
        summary: 'Renewal talk',
        outcome: undefined,
        answers: { main_goal: 'Speed' },
      },
    });
  });

  it('names the fields to fix (Slack shows them beside the inputs)', () => {
    const parsed = parseTouchSubmission(
      {
        [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { value: '   ' } },
        [TOUCH_BLOCKS.when]: { [ACTIONS.whenPicker]: { selected_date_time: Math.floor(Date.now() / 1000) + 86_400 } },
      },
      { questionIds: [] },
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(Object.keys(parsed.errors).sort()).toEqual(
        [TOUCH_BLOCKS.customer, TOUCH_BLOCKS.summary, TOUCH_BLOCKS.when].sort(),
      );
  });

  it('applies the text rule: a control character is an error beside its field, not a touch', () => {
    const parsed = parseTouchSubmission(
      {
        [TOUCH_BLOCKS.customer]: { [ACTIONS.customerSelect]: { selected_option: { value: '101' } } },
        [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { value: 'Renewal\u0000 talk' } },
        [TOUCH_BLOCKS.outcome]: { [ACTIONS.outcomeInput]: { value: 'quote\u001b' } },
        [`${TOUCH_BLOCKS.questionPrefix}main_goal`]: { [ACTIONS.answerInput]: { value: 'speed\u0007' } },
      },
      { questionIds: ['main_goal'] },
    );
    expect(parsed).toEqual({
      ok: false,
      errors: {
        [TOUCH_BLOCKS.summary]: 'The summary must not contain control characters (U+0000 at position 8)',
        [TOUCH_BLOCKS.outcome]: 'The outcome must not contain control characters (U+001B at position 6)',
        [`${TOUCH_BLOCKS.questionPrefix}main_goal`]:
          'The answer must not contain control characters (U+0007 at position 6)',
      },
    });
  });

  it('never throws on bad private_metadata', () => {
    expect(readTouchMetadata('{nope')).toEqual({ questionIds: [] });
    expect(readTouchMetadata(JSON.stringify({ sourceUrl: 'javascript:alert(1)' }))).toEqual({ questionIds: [] });
  });
});

describe('customer context card', () => {
  it('is a valid message with profile, segments, last touches truncated with a see-more path, next question', () => {
    const card = contextCard({ context: context(), crmUrl: 'https://crm.example/contacts/101' });
    expect(validateBlocks(card.blocks, 'message')).toEqual([]);
    expect(card.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    const all = JSON.stringify(card.blocks);
    expect(all).toContain('Acme Logistics');
    expect(all).toContain('gold');
    expect(all).toContain('7 more');
    expect(all).toContain(DEFAULT_QUESTIONS[0]!.text);
    expect(all).toContain(ACTIONS.openLogTouch);
  });

  it('shows what the customer set in the preference centre, escaped, and nothing when they set nothing', () => {
    const card = contextCard({
      context: { ...context(), preferences: ['Rates: off', 'Products: on, SMS, daily digest', '<!channel> *x*'] },
    });
    expect(validateBlocks(card.blocks, 'message')).toEqual([]);
    const all = JSON.stringify(card.blocks);
    expect(all).toContain('Their preferences:');
    expect(all).toContain('Rates: off · Products: on, SMS, daily digest');
    expect(all).not.toContain('<!channel>');
    expect(JSON.stringify(contextCard({ context: context() }).blocks)).not.toContain('Their preferences');
  });

  it('stays valid for a customer with nothing: no company, no touches, every question answered, alerts', () => {
    const card = contextCard({
      context: context({ company: null, owner: null, timeline: [], nextQuestions: [] }),
      alerts: [
        {
          id: 'a',
          title: long(500),
          sentAt: '2026-11-01T00:00:00Z',
          channel: 'email',
          response: { at: '2026-11-02T00:00:00Z', text: long(5000) },
        },
      ],
    });
    expect(validateBlocks(card.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(card.blocks)).toContain('No touches yet');
  });

  it('not-found and ambiguous answers are valid too', () => {
    expect(validateBlocks(contextNotFound('zz', []).blocks, 'message')).toEqual([]);
    const many = Array.from({ length: 40 }, (_, i) => ({ id: String(i), label: long(300), email: `p${i}@x.example` }));
    expect(validateBlocks(contextNotFound(long(300), many).blocks, 'message')).toEqual([]);
  });
});

describe('messages', () => {
  it('touch confirmation links the contact in the CRM and stays within limits', () => {
    const m = touchConfirmation({
      touchId: 'tch_1',
      duplicate: false,
      customer: { name: 'Joe <Smith>', email: 'joe@x.example' },
      channel: 'call',
      summary: long(10_000),
      answers: 2,
      crmUrl: 'https://crm.example/c/101',
      sourceUrl: 'https://acme.slack.com/archives/C1/p1',
    });
    expect(validateBlocks(m.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(m.blocks)).toContain('<https://crm.example/c/101|Joe &lt;Smith&gt;>');
    expect(validateBlocks(problemMessage(long(5000), long(5000)).blocks, 'message')).toEqual([]);
  });
});

describe('App Home', () => {
  const touch = (i: number): HomeTouch => ({
    id: `tch_${i}`,
    customer: `Customer ${i}`,
    channel: 'call',
    summary: long(1000),
    occurredAt: '2026-11-20T10:00:00Z',
    status: i % 3 === 0 ? 'pending' : 'synced',
  });

  it('stays under 100 blocks with every list full, and offers "see more"', () => {
    const view = homeView({
      email: 'ana@rapport.example',
      approvals: Array.from({ length: 200 }, (_, i) => ({
        alertId: `a${i}`,
        title: long(400),
        requestedBy: 'x',
        audience: 3,
        requestedAt: '2026-11-20T10:00:00Z',
      })),
      alerts: Array.from({ length: 200 }, (_, i) => ({
        alertId: `a${i}`,
        title: 'T',
        status: 'sent',
        sent: 1,
        responses: 0,
        at: '2026-11-20T10:00:00Z',
      })),
      touches: Array.from({ length: 10 }, (_, i) => touch(i)),
      touchesTotal: 57,
      touchLimit: 10,
    });
    expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerHome);
    expect(validateView(view).problems).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain(ACTIONS.homeSeeMoreTouches);
  });

  it('explains when the user has no email or no touches', () => {
    expect(JSON.stringify(homeView({ email: null, touches: [], touchesTotal: 0, touchLimit: 10 }).blocks)).toContain(
      'cannot see your email',
    );
    const empty = homeView({ email: 'a@b.example', touches: [], touchesTotal: 0, touchLimit: 10 });
    expect(validateView(empty).problems).toEqual([]);
    expect(JSON.stringify(empty.blocks)).toContain('/touch');
  });

  it('App Home lists pending approvals and my alerts', () => {
    const home = homeView({
      email: 'a@b.example',
      approvals: [
        {
          alertId: ALERT_ID,
          title: 'Rates',
          requestedBy: 'x@b.example',
          audience: 17,
          requestedAt: '2026-11-25T00:00:00Z',
        },
      ],
      alerts: [{ alertId: ALERT_ID, title: 'Mine', status: 'awaiting approval', at: '2026-11-25T00:00:00Z' }],
      touches: [],
      touchesTotal: 0,
      touchLimit: 10,
    });
    expect(validateView(home).problems).toEqual([]);
    const all = JSON.stringify(home.blocks);
    expect(all).toContain(HOME_BLOCKS.approvals);
    expect(all).toContain('17 recipients');
    expect(all).toContain('awaiting approval');
  });
});
