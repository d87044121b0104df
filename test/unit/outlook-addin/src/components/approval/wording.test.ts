import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../../../outlook-addin/src/api.js';
import { decisionErrorText, reasonProblem } from '../../../../../../outlook-addin/src/components/approval/wording.js';

describe('approval wording', () => {
  it('needs a reason to reject or request changes', () => {
    expect(reasonProblem('approve', '')).toBeNull();
    expect(reasonProblem('reject', '  ')).toMatch(/reason is required to reject/);
    expect(reasonProblem('request_changes', '')).toMatch(/reason is required to request changes/);
    expect(reasonProblem('reject', 'Wrong segment')).toBeNull();
  });

  it('words decision errors for people', () => {
    expect(decisionErrorText(new ApiError('conflict', 'officer@rapport.example already decided (approved)', 409))).toBe(
      'Already decided: officer@rapport.example already decided (approved).',
    );
    expect(decisionErrorText(new ApiError('gone', 'expired', 410))).toMatch(/expired/);
    expect(decisionErrorText(new ApiError('network', 'Rapport cannot be reached'))).toMatch(/nothing was decided/);
  });
});
