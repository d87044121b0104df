import { describe, expect, it } from 'vitest';
import { controlProblem, text, withoutControls } from '../../../domain/text.js';

describe('the text rule', () => {
  const reason = text('reason', { max: 10 });

  it('refuses every C0 control but tab, line feed and carriage return, naming the field and the character', () => {
    for (let code = 0; code < 0x20; code += 1) {
      const value = `a${String.fromCharCode(code)}b`;
      const parsed = reason.safeParse(value);
      if ([0x09, 0x0a, 0x0d].includes(code)) expect(parsed.success).toBe(true);
      else {
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues[0]?.message).toBe(
          `reason must not contain control characters (U+${code.toString(16).toUpperCase().padStart(4, '0')} at position 2)`,
        );
      }
    }
  });

  it('bounds the length after trimming, and says so with the field', () => {
    expect(reason.parse('  0123456789  ')).toBe('0123456789');
    expect(reason.safeParse('01234567890').error?.issues[0]?.message).toBe('reason must be at most 10 characters');
    expect(text('body', { max: 10, trim: false }).safeParse(' 012345678 ').success).toBe(false);
  });

  it('refuses empty text when asked, and what is not text', () => {
    const summary = text('summary', { max: 100, min: 1 });
    expect(summary.safeParse('   ').error?.issues[0]?.message).toBe('summary must not be empty');
    expect(summary.safeParse(42).error?.issues[0]?.message).toBe('summary must be text');
  });

  it('cleans text that must be kept (a customer reply) of the same characters', () => {
    expect(withoutControls('call\u0000 me\u001b today\tor\r\ntomorrow')).toBe('call me today\tor\r\ntomorrow');
    expect(controlProblem('fine\ttext\n', 'x')).toBeNull();
  });
});
