import { describe, expect, it } from 'vitest';
import { readFollowUpValue, responseMessage } from '../../../../slack-app/blocks/customer-response-dm.js';
import { ACTIONS } from '../../../../slack-app/ids.js';
import { ID, long, validMessage } from './alert-fixtures.js';

describe('the customer-response DM', () => {
  it('carries the reply and a Log follow-up button', () => {
    const m = responseMessage({
      alertId: ID,
      alertTitle: 'Rates move',
      contactId: '101',
      customer: 'Joe Smith',
      kind: 'reply',
      body: `Please call me ${long(5000)}`,
      crmUrl: 'http://crm/101',
    });
    validMessage(m);
    const button = JSON.stringify(m.blocks);
    expect(button).toContain(ACTIONS.logFollowUp);
    expect(button).toContain('Please call me');
    const value = (m.blocks.find((b) => b.type === 'actions') as { elements: { value?: string }[] }).elements[0]!.value;
    expect(readFollowUpValue(value)).toEqual({ contactId: '101', alertId: ID, kind: 'reply' });
    expect(readFollowUpValue('{"c":"abc"}')).toBeNull();
  });
});
