import { describe, expect, it } from 'vitest';
import { keyFromBody, markerFor, withMarker, withoutMarker } from '../../../../crm/hubspot/engagement-marker.js';
import { MAX_TEXT_LENGTH } from '../../../../crm/hubspot/schema.js';

describe('the body marker for portals without the key property', () => {
  it('moves the key from its property to the end of the body', () => {
    const written = withMarker(
      'notes',
      { hs_timestamp: '2026-12-05T12:00:00.000Z', hs_note_body: 'Called Joe', rapport_idempotency_key: 'tch_ab12' },
      'tch_ab12',
    );
    expect(written).toEqual({
      hs_timestamp: '2026-12-05T12:00:00.000Z',
      hs_note_body: 'Called Joe\n\n[rapport ref tch_ab12]',
    });
    expect(keyFromBody(written.hs_note_body)).toBe('tch_ab12');
    expect(withoutMarker(written.hs_note_body!)).toBe('Called Joe');
  });

  it('writes the body property of each type, even when the body was empty', () => {
    expect(withMarker('emails', { hs_email_text: '' }, 'alr_1:101')).toEqual({
      hs_email_text: '[rapport ref alr_1:101]',
    });
    expect(withMarker('tasks', { hs_task_subject: 'x' }, 'k')).toEqual({
      hs_task_subject: 'x',
      hs_task_body: markerFor('k'),
    });
    expect(Object.keys(withMarker('calls', {}, 'k'))).toEqual(['hs_call_body']);
    expect(Object.keys(withMarker('meetings', {}, 'k'))).toEqual(['hs_meeting_body']);
  });

  it('keeps the marker whole within HubSpot’s length limit: the text gives way', () => {
    const written = withMarker('notes', { hs_note_body: 'x'.repeat(MAX_TEXT_LENGTH) }, 'rsp:abc:task');
    expect(written.hs_note_body!.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(keyFromBody(written.hs_note_body)).toBe('rsp:abc:task');
  });

  it('is found inside markup HubSpot may wrap a body in, and nothing is found without one', () => {
    expect(keyFromBody('<p>Called Joe</p><p>[rapport ref tch_99]</p>')).toBe('tch_99');
    expect(keyFromBody('Called Joe about [rapport things]')).toBeNull();
    expect(keyFromBody(null)).toBeNull();
    expect(withoutMarker('No marker here')).toBe('No marker here');
  });
});
