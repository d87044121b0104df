import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';

/** Runs `rapport <argv>` against a fake API; answers the exit code and what was printed. */
async function rapport(argv: string[], options: { env?: Record<string, string>; answer?: Response } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: Request[] = [];
  const code = await main(argv, {
    env: options.env ?? { RAPPORT_URL: 'http://rapport.test', RAPPORT_TOKEN: 'tok' },
    cwd: mkdtempSync(join(tmpdir(), 'rapport-cli-')),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    fetch: async (input, init) => {
      requests.push(new Request(input, init));
      return (
        options.answer?.clone() ??
        Response.json({ error: { code: 'INTERNAL', message: 'not expected' } }, { status: 500 })
      );
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), requests };
}

const TOUCH = {
  id: 'tch_0123456789abcdefghijklmnop',
  status: 'failed',
  statusUrl: '/api/touches/tch_0123456789abcdefghijklmnop',
  contact: { email: 'joe@example.com', crmId: null },
  channel: 'call',
  occurredAt: '2026-11-24T15:04:00.000Z',
  engagement: null,
  attempts: 3,
  lastError: null,
  reason: 'CRM refused the write: no such contact',
  createdAt: '2026-11-24T15:04:01.000Z',
  syncedAt: null,
};

describe('rapport CLI usage', () => {
  it.each([
    ['no command', []],
    ['an unknown command', ['alerts', 'delete', 'alr_x']],
    ['a missing argument', ['touches', 'show']],
    ['an extra argument', ['touches', 'show', 'a', 'b']],
    ['an unknown option', ['alerts', 'list', '--colour', 'red']],
    ['an option without its value', ['alerts', 'cancel', 'alr_x', '--by']],
  ])('exits 2 on %s, saying what is wrong, without calling the API', async (_name, argv) => {
    const { code, err, requests } = await rapport(argv);
    expect(code).toBe(2);
    expect(err).toMatch(/^rapport: .+\n\nUsage: rapport/);
    expect(requests).toEqual([]);
  });

  it('exits 2 without a token: none in RAPPORT_TOKEN nor in .data/api-token', async () => {
    const { code, err } = await rapport(['touches', 'show', TOUCH.id], { env: {} });
    expect(code).toBe(2);
    expect(err).toContain('set RAPPORT_TOKEN');
  });

  it('lists every command for --help, and exits 0', async () => {
    const { code, out } = await rapport(['--help']);
    expect(code).toBe(0);
    for (const command of ['alerts list', 'alerts show', 'alerts cancel', 'touches show', 'touches retry']) {
      expect(out).toContain(`rapport ${command}`);
    }
  });
});

describe('rapport CLI answers', () => {
  it('calls the API with the token and prints a summary, or the JSON with --json', async () => {
    const answer = Response.json(TOUCH, { status: 202 });
    const text = await rapport(['touches', 'retry', TOUCH.id], { answer });
    expect(text.code).toBe(0);
    expect(text.requests[0]!.method).toBe('POST');
    expect(text.requests[0]!.url).toBe(`http://rapport.test/api/touches/${TOUCH.id}/retry`);
    expect(text.requests[0]!.headers.get('authorization')).toBe('Bearer tok');
    expect(text.out).toMatch(/Failed because: +CRM refused the write/);
    const json = await rapport(['touches', 'retry', TOUCH.id, '--json'], { answer });
    expect(JSON.parse(json.out)).toEqual(TOUCH);
  });

  it("exits 1 with the API's message when it refuses", async () => {
    const answer = Response.json(
      { error: { code: 'CONFLICT', message: 'this touch is already in the CRM', field: 'id' } },
      { status: 409 },
    );
    const { code, err } = await rapport(['touches', 'retry', TOUCH.id], { answer });
    expect(code).toBe(1);
    expect(err).toBe('rapport: this touch is already in the CRM (409, CONFLICT, field id)');
  });

  it('exits 1 when the answer does not keep the contract', async () => {
    const answer = Response.json({ ...TOUCH, status: 'lost' });
    const { code, err } = await rapport(['touches', 'show', TOUCH.id], { answer });
    expect(code).toBe(1);
    expect(err).toContain('does not match the API contract');
    expect(err).toContain('status');
  });

  it('sends the cancel with who and why', async () => {
    const id = 'alr_01jd3v8z6q4m2k9x7c5b1n0p3r';
    const answer = Response.json({ id, cancelRequested: true }, { status: 202 });
    const { code, out, requests } = await rapport(
      ['alerts', 'cancel', id, '--by', 'ana@bank.example', '--reason', 'wrong list'],
      {
        answer,
      },
    );
    expect(code).toBe(0);
    expect(out).toBe(`Cancel requested for ${id}.`);
    expect(await requests[0]!.json()).toEqual({ by: 'ana@bank.example', reason: 'wrong list' });
  });
});
