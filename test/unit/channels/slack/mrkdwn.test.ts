import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn } from '../../../../channels/slack/mrkdwn.js';

describe('the markdown subset in Slack mrkdwn', () => {
  it('renders *italic* and _italic_ alike, as the email does', () => {
    expect(markdownToMrkdwn('*one* and _two_ and **three**')).toEqual(['_one_ and _two_ and *three*']);
  });

  it('leaves underscores inside words as text', () => {
    expect(markdownToMrkdwn('file_name_v2')).toEqual(['file_name_v2']);
  });
});
