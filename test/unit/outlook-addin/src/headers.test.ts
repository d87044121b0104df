import { describe, expect, it } from 'vitest';
import { alertIdFromHeaders, findAlertId, parseHeaders } from '../../../../outlook-addin/src/headers.js';

describe('approval request detection', () => {
  it('reads X-Rapport-Alert-Id from a raw header block, folded or not, any case', () => {
    const raw = 'Received: from a\r\n by b\r\nx-rapport-alert-id:\r\n  alr_01JABC\r\nSubject: Approve\r\n';
    expect(parseHeaders(raw).get('received')).toEqual(['from a by b']);
    expect(alertIdFromHeaders(raw)).toBe('alr_01JABC');
    expect(alertIdFromHeaders('X-Rapport-Alert-Id: alr_2\n')).toBe('alr_2');
  });

  it('ignores junk values and falls back to the subject tag, then the body line', () => {
    expect(alertIdFromHeaders('X-Rapport-Alert-Id: <script>\n')).toBeNull();
    expect(findAlertId({ headers: null, subject: 'Approval needed [Rapport alert alr_77]' })).toBe('alr_77');
    expect(findAlertId({ headers: null, subject: 'x', body: 'Hello\nRapport alert id: alr_88\n' })).toBe('alr_88');
    expect(findAlertId({ headers: 'From: a@b\r\n', subject: 'Re: lunch' })).toBeNull();
  });
});
