import { describe, expect, it } from 'vitest';
import {
  ALERT_STATUSES,
  CANCELLABLE_STATUSES,
  SENDING_STATUSES,
  isCancellable,
  isFinal,
  isSending,
} from '../../../../domain/vocabulary/index.js';

describe('alert statuses', () => {
  it('a cancel stops something in every status but the final ones and following up', () => {
    // Following up: everything has gone out and the response window stays open, so there is nothing to stop.
    expect(ALERT_STATUSES.filter((s) => !isCancellable(s) && !isFinal(s))).toEqual(['following_up']);
    expect(CANCELLABLE_STATUSES.filter(isFinal)).toEqual([]);
  });

  it('the sending statuses can still be cancelled', () => {
    expect(SENDING_STATUSES.every(isCancellable)).toBe(true);
    expect(ALERT_STATUSES.filter(isSending)).toEqual([...SENDING_STATUSES]);
  });
});
