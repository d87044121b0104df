import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../../domain/broadcast/signed-token.js';
import { trailLink, TRAIL_LINK_DAYS } from '../../../../domain/broadcast/trail-link.js';
import {
  ALERT_EVENT_KINDS,
  csvField,
  csvHeader,
  csvLine,
  STEP_RANK,
  TRAIL_STEPS,
  type TrailEntry,
} from '../../../../domain/broadcast/trail.js';

const entry = (over: Partial<TrailEntry> = {}): TrailEntry => ({
  at: '2026-12-05T10:00:00.000Z',
  step: 'response',
  actor: 'customer',
  version: null,
  contactId: '101',
  channel: null,
  outcome: 'reply',
  attempts: null,
  fallback: null,
  crmId: null,
  detail: null,
  ...over,
});

describe('the trail CSV', () => {
  it('quotes commas, quotes and line breaks (RFC 4180), and leaves plain values bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(3)).toBe('3');
    expect(csvField(null)).toBe('');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it("never lets a customer's text run as a spreadsheet formula", () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1+1', '-2', '@SUM(A1)', '\tx'])
      expect(csvField(evil).replace(/^"/, '')).toMatch(/^'/);
    // Numbers are numbers: a negative count is not text to defuse.
    expect(csvField(-1)).toBe('-1');
  });

  it('writes one line per entry, in the header order', () => {
    expect(csvHeader()).toBe('at,step,actor,version,contactId,channel,outcome,attempts,fallback,crmId,detail\r\n');
    expect(csvLine(entry({ detail: 'Which terms, and when?' }))).toBe(
      '2026-12-05T10:00:00.000Z,response,customer,,101,,reply,,,,"Which terms, and when?"\r\n',
    );
  });
});

describe('the trail steps', () => {
  it('rank in the order of the story, so steps at one instant keep it', () => {
    expect(STEP_RANK.requested).toBeLessThan(STEP_RANK.approval_requested);
    expect(STEP_RANK.approval_requested).toBeLessThan(STEP_RANK.decision);
    expect(STEP_RANK.delivery).toBeLessThan(STEP_RANK.response);
    expect(STEP_RANK.response).toBeLessThan(STEP_RANK.response_routed);
    expect(STEP_RANK.task_created).toBeLessThan(STEP_RANK.summary_sent);
    expect(new Set(Object.values(STEP_RANK)).size).toBe(TRAIL_STEPS.length);
    for (const kind of ALERT_EVENT_KINDS) expect(TRAIL_STEPS).toContain(kind);
  });
});

describe('a trail link', () => {
  const secret = 'a-secret-of-enough-length-0123456789';
  it('is the same for one alert and person (any case), different for another, and signed for the trail only', () => {
    const a = trailLink(secret, 'alr_1', 'Ana@Bank.example', 0);
    expect(trailLink(secret, 'alr_1', 'ana@bank.example', 0).path).toBe(a.path);
    expect(trailLink(secret, 'alr_1', 'bo@bank.example', 0).id).not.toBe(a.id);
    expect(trailLink(secret, 'alr_2', 'ana@bank.example', 0).id).not.toBe(a.id);
    const token = a.path.replace('/trail/', '');
    expect(verifyToken(secret, 'trail', token)).toBe(a.id);
    expect(verifyToken(secret, 'approval', token)).toBeNull();
    expect(verifyToken('another-secret-0123456789abcdefghijk', 'trail', token)).toBeNull();
    expect(Date.parse(a.expiresAt)).toBe(TRAIL_LINK_DAYS * 86_400_000);
    expect(a.person).toBe('ana@bank.example');
  });
});
