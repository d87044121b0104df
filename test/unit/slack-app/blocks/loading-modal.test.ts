import { describe, expect, it } from 'vitest';
import { validateView } from '../../../../sandbox/slack/validate.js';
import { loadingModal } from '../../../../slack-app/blocks/loading-modal.js';

describe('loading modal', () => {
  it('is a valid modal with nothing to type or submit (replacing it loses nothing)', () => {
    const view = loadingModal({ title: 'Log a touch', message: 'Looking up the customer…' });
    expect(validateView(view).problems).toEqual([]);
    expect(view.type).toBe('modal');
    expect(view.submit).toBeUndefined();
    expect(view.blocks.some((b) => b.type === 'input')).toBe(false);
    expect(JSON.stringify(view)).toContain('Looking up the customer');
  });

  it('keeps within Slack limits whatever it is given, and escapes mrkdwn', () => {
    const view = loadingModal({
      title: 'A title far longer than Slack allows',
      message: `<@U1> & ${'x'.repeat(5000)}`,
    });
    expect(validateView(view).problems).toEqual([]);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(JSON.stringify(view)).toContain('&lt;@U1&gt; &amp;');
  });
});
