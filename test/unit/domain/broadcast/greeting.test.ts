import { describe, expect, it } from 'vitest';
import { greeting, greetingName } from '../../../../domain/broadcast/greeting.js';

describe('the greeting', () => {
  it('greets the contact by first name when it is known', () => {
    expect(greeting('Joe')).toBe('Hello Joe,');
    expect(greeting('  Anne  Marie ')).toBe('Hello Anne Marie,');
    expect(greeting('Zoë')).toBe('Hello Zoë,');
  });

  it('has no greeting when the name is unknown or unusable', () => {
    expect(greeting(null)).toBeNull();
    expect(greeting(undefined)).toBeNull();
    expect(greeting('   ')).toBeNull();
    expect(greeting('1234')).toBeNull();
    expect(greeting('x'.repeat(61))).toBeNull();
  });

  it('flattens line breaks and control characters, so a name cannot push text around', () => {
    expect(greetingName('Joe\r\nBcc: evil@x.example')).toBe('Joe Bcc: evil@x.example');
    expect(greetingName('Jo\u0000e')).toBe('Jo e');
  });
});
