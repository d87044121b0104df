import { describe, expect, it } from 'vitest';
import { alertRequestSchema } from '../../../../domain/broadcast/alert-request.js';
import { refuseDecision, type ApprovalState } from '../../../../domain/broadcast/decision-rules.js';
import { emptyCounts, finalSummary } from '../../../../domain/broadcast/final-summary.js';
import { signToken, verifyToken } from '../../../../domain/broadcast/signed-token.js';

const SECRET = 'k'.repeat(32);

describe('signed tokens', () => {
  it('round-trips and fits a reply+ local part', () => {
    const token = signToken(SECRET, 'reply', 'AbCdEfGhIjKlMnOp');
    expect(verifyToken(SECRET, 'reply', token)).toBe('AbCdEfGhIjKlMnOp');
    expect(`reply+${token}`.length).toBeLessThanOrEqual(64);
  });

  it('refuses another purpose, another secret, altered ids and garbage', () => {
    const token = signToken(SECRET, 'approval', 'AbCdEfGhIjKlMnOp');
    expect(verifyToken(SECRET, 'response', token)).toBeNull();
    expect(verifyToken('x'.repeat(32), 'approval', token)).toBeNull();
    expect(verifyToken(SECRET, 'approval', token.replace('AbCd', 'AbCe'))).toBeNull();
    for (const bad of ['', '.', 'nodot', 'a.b', `${'a'.repeat(100)}.b`])
      expect(verifyToken(SECRET, 'approval', bad)).toBeNull();
  });

  it('takes one spelling of a MAC only: no padding, no other alphabet, no unused bits, nothing skipped', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const id of ['AbCdEfGhIjKlMnOp', 'QrStUvWxYz012345', 'link-000000000001', 'link-000000000002']) {
      const token = signToken(SECRET, 'approval', id);
      const macText = token.slice(id.length + 1);
      const last = macText.at(-1)!;
      // 16 bytes in 22 characters: the last one carries 2 bits and 4 that a decoder ignores.
      const sameBits = ALPHABET[ALPHABET.indexOf(last) ^ 1]!;
      const spellings = [
        `${macText}=`,
        `${macText}==`,
        `${macText.slice(0, -1)}${sameBits}`,
        Buffer.from(macText, 'base64url').toString('base64').replace(/=+$/, ''),
        `${macText.slice(0, -3)}*${macText.slice(-3)}`,
        `${macText} `,
        `${macText.slice(0, 5)}\n${macText.slice(5)}`,
      ]
        .map((m) => `${id}.${m}`)
        .filter((t) => t !== token);
      // Each decodes to the same MAC, which the lenient comparison took.
      for (const spelling of spellings) {
        expect(Buffer.from(spelling.slice(id.length + 1), 'base64url').equals(Buffer.from(macText, 'base64url'))).toBe(
          true,
        );
      }
      expect(verifyToken(SECRET, 'approval', token)).toBe(id);
      for (const spelling of spellings) expect(verifyToken(SECRET, 'approval', spelling), spelling).toBeNull();
    }
  });
});

describe('decision rules', () => {
  const state: ApprovalState = {
    phase: 'awaiting_approval',
    requester: 'ana@bank.example',
    approvers: ['ana@bank.example', 'bob@bank.example'],
    version: 2,
  };
  const d = (over: Partial<Parameters<typeof refuseDecision>[1]>) =>
    refuseDecision(state, { approver: 'bob@bank.example', decision: 'approve', via: 'api', ...over });

  it('four eyes comes first, then group membership', () => {
    expect(d({ approver: 'ANA@bank.example' })?.code).toBe('FORBIDDEN');
    expect(d({ approver: 'eve@bank.example' })?.code).toBe('FORBIDDEN');
    expect(d({})).toBeNull();
  });

  describe('by person id, once the alert and the decision carry ids', () => {
    const withIds: ApprovalState = { ...state, requesterId: 'psn_ana' };
    const by = (over: Partial<Parameters<typeof refuseDecision>[1]>) =>
      refuseDecision(withIds, { approver: 'bob@bank.example', decision: 'approve', via: 'api', ...over });

    it('the requester under a new email is still the requester', () => {
      expect(
        by({ approver: 'ana.smith@bank.example', approverId: 'psn_ana', member: 'ana@bank.example' }),
      ).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('four eyes') });
    });

    it("a newcomer with the requester's old email is someone else, and a member only by their own binding", () => {
      // Not the requester (another id), but the email's group entry is bound to the requester: not a member.
      expect(by({ approver: 'ana@bank.example', approverId: 'psn_new', member: null })).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('approver group'),
      });
      expect(by({ approverId: 'psn_bob', member: 'bob@bank.example' })).toBeNull();
    });

    it('the member entry must be of this alert’s group; decisions without ids are judged by email', () => {
      expect(by({ approverId: 'psn_bob', member: 'rita@bank.example' })?.code).toBe('FORBIDDEN');
      expect(by({ approver: 'ana@bank.example' })?.message).toContain('four eyes');
      expect(by({})).toBeNull();
    });
  });

  it('needs a reason to reject or request changes, the current version, and an open request', () => {
    expect(d({ decision: 'reject' })).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    expect(d({ decision: 'request_changes', reason: ' ' })).toMatchObject({ code: 'VALIDATION' });
    expect(d({ decision: 'reject', reason: 'no' })).toBeNull();
    expect(d({ version: 1 })).toMatchObject({ code: 'CONFLICT', field: 'version' });
    expect(
      refuseDecision({ ...state, phase: 'decided' }, { approver: 'bob@bank.example', decision: 'approve', via: 'api' })
        ?.code,
    ).toBe('CONFLICT');
    expect(
      refuseDecision({ ...state, phase: 'expired' }, { approver: 'bob@bank.example', decision: 'approve', via: 'api' })
        ?.code,
    ).toBe('GONE');
  });
});

describe('alert request', () => {
  it('folds CR/LF in the title into one line and dedupes list ids', () => {
    const parsed = alertRequestSchema.parse({
      requester: 'Ana@Bank.example',
      title: 'Hello\r\nBcc: x@y.example',
      body: 'b',
      topic: 'rates',
      lists: ['1', '1', '2'],
    });
    expect(parsed).toMatchObject({
      requester: 'ana@bank.example',
      title: 'Hello Bcc: x@y.example',
      lists: ['1', '2'],
      replyTo: 'analyst',
    });
    // No channels named: the intake gives the alert its topic's default channels.
    expect(parsed.channels).toBeUndefined();
  });
});

describe('final summary', () => {
  it('computes rates of attempts; responses as a share of sent', () => {
    const s = finalSummary({
      ...emptyCounts(),
      total: 10,
      sent: 6,
      failed: 1,
      bounced: 1,
      unconfirmed: 0,
      cancelled: 2,
      responded: 3,
    });
    expect(s.rates).toEqual({ delivered: 75, failed: 12.5, bounced: 12.5, unconfirmed: 0, responded: 50 });
    expect(finalSummary(emptyCounts()).rates.delivered).toBe(0);
  });
});
