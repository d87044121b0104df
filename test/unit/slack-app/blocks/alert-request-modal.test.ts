import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../../channels/slack/limits.js';
import { validateView } from '../../../../sandbox/slack/validate.js';
import { alertModal, listOption, parseAlertSubmission } from '../../../../slack-app/blocks/alert-request-modal.js';
import { ACTIONS, ALERT_BLOCKS, VIEWS } from '../../../../slack-app/ids.js';
import { long } from './alert-fixtures.js';

describe('alert request modal', () => {
  it('is a valid modal with every field, the lists searching the CRM', () => {
    const view = alertModal({ channelId: 'C1' });
    expect(validateView(view).problems).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.requestAlert);
    expect(view.blocks.map((b) => b.block_id)).toEqual([
      ALERT_BLOCKS.title,
      ALERT_BLOCKS.message,
      ALERT_BLOCKS.topic,
      ALERT_BLOCKS.lists,
      ALERT_BLOCKS.channels,
      ALERT_BLOCKS.replyTo,
      ALERT_BLOCKS.notBefore,
      ALERT_BLOCKS.notAfter,
    ]);
    expect(JSON.stringify(view)).toContain(ACTIONS.alertLists);
  });

  it('offers the topic catalogue as a static_select, and reads the chosen topic id', () => {
    const view = alertModal({}, [
      { id: 'rates', name: 'Rates' },
      { id: 'service', name: 'Service notices' },
    ]);
    expect(validateView(view).problems).toEqual([]);
    const topic = view.blocks.find((b) => b.block_id === ALERT_BLOCKS.topic) as {
      element: { type: string; options: { text: { text: string }; value: string }[] };
    };
    expect(topic.element.type).toBe('static_select');
    expect(topic.element.options.map((o) => [o.text.text, o.value])).toEqual([
      ['Rates (rates)', 'rates'],
      ['Service notices (service)', 'service'],
    ]);
    const parsed = parseAlertSubmission({
      [ALERT_BLOCKS.title]: { value: { value: 'Title' } },
      [ALERT_BLOCKS.message]: { value: { value: 'Body' } },
      [ALERT_BLOCKS.topic]: { value: { type: 'static_select', selected_option: { value: 'service' } } },
      [ALERT_BLOCKS.lists]: { [ACTIONS.alertLists]: { selected_options: [{ value: '1' }] } },
      [ALERT_BLOCKS.channels]: { value: { selected_options: [{ value: 'email' }] } },
    });
    expect(parsed).toMatchObject({ ok: true, draft: { topic: 'service' } });
    // Without a catalogue (it could not be read) the modal falls back to a text field.
    const fallback = alertModal({}, []).blocks.find((b) => b.block_id === ALERT_BLOCKS.topic) as {
      element: { type: string };
    };
    expect(fallback.element.type).toBe('plain_text_input');
  });

  it('list options show member counts within 75 characters', () => {
    const o = listOption({ id: '12', name: long(300), size: 12345 });
    expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(o.text.text).toMatch(/\(12,345 members\)$/);
    expect(listOption({ id: '1', name: 'One', size: 1 }).text.text).toBe('One (1 member)');
  });

  it('parses a submission into an alert request, send window included', () => {
    const at = Date.parse('2026-12-01T09:00:00Z') / 1000;
    const parsed = parseAlertSubmission({
      [ALERT_BLOCKS.title]: { value: { value: 'Title' } },
      [ALERT_BLOCKS.message]: { value: { value: 'Body' } },
      [ALERT_BLOCKS.topic]: { value: { value: 'rates' } },
      [ALERT_BLOCKS.lists]: {
        [ACTIONS.alertLists]: { selected_options: [{ value: '1' }, { value: '2' }, { value: '1' }] },
      },
      [ALERT_BLOCKS.channels]: { value: { selected_options: [{ value: 'email' }, { value: 'sms' }] } },
      [ALERT_BLOCKS.replyTo]: { value: { selected_option: { value: 'owner' } } },
      [ALERT_BLOCKS.notBefore]: { value: { selected_date_time: at } },
      [ALERT_BLOCKS.notAfter]: { value: { selected_date_time: null } },
    });
    expect(parsed).toEqual({
      ok: true,
      draft: expect.objectContaining({
        title: 'Title',
        lists: ['1', '2'],
        channels: ['email', 'sms'],
        replyTo: 'owner',
        sendWindow: { notBefore: '2026-12-01T09:00:00.000Z' },
        approverGroup: 'alerts',
      }),
    });
  });

  it('puts errors beside the fields', () => {
    const at = Date.parse('2026-12-01T09:00:00Z') / 1000;
    const parsed = parseAlertSubmission({
      [ALERT_BLOCKS.title]: { value: { value: '  ' } },
      [ALERT_BLOCKS.message]: { value: { value: 'Body' } },
      [ALERT_BLOCKS.topic]: { value: { value: 'rates' } },
      [ALERT_BLOCKS.channels]: { value: { selected_options: [] } },
      [ALERT_BLOCKS.notBefore]: { value: { selected_date_time: at } },
      [ALERT_BLOCKS.notAfter]: { value: { selected_date_time: at - 60 } },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      [ALERT_BLOCKS.title, ALERT_BLOCKS.lists, ALERT_BLOCKS.channels, ALERT_BLOCKS.notAfter].sort(),
    );
    expect(parseAlertSubmission('nonsense').ok).toBe(false);
  });
});
