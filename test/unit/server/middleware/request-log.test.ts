import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggablePath, requestLog, type AppEnv } from '../../../../server/middleware/request-log.js';

/** A hono app with the request log writing JSON lines into an array, as the server's logger does to stdout. */
function loggedApp() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const app = new Hono<AppEnv>()
    .use(requestId())
    .use(requestLog(logger))
    .all('*', (c) => c.text('ok'));
  return { app, lines };
}

describe('request log', () => {
  it('never writes the MAC of an approval, answer, unsubscribe or trail link, only its id', async () => {
    const { app, lines } = loggedApp();
    const links = [
      '/approvals/dCJ00MqDuFoKXkNaOrc6o3.-VCnlJM9ueTDPjA3OJvYkw',
      '/r/gddiZIMtuxWoSy3j.oqM3DM2T88NuvKhQWEF59Q?a=interested',
      '/u/gddiZIMtuxWoSy3j.n_DsKIlV0sN2rd4yYKfr6g',
      '/trail/L2BJwMFEeXnmxfbtrcI8Pt.eLbYsK5YUroEJuuHOwFpRQ',
    ];
    for (const link of links) {
      await app.request(link);
      await app.request(link.split('?')[0]!, { method: 'POST', body: new URLSearchParams({ a: 'interested' }) });
    }
    const log = lines.join('');
    for (const mac of [
      '-VCnlJM9ueTDPjA3OJvYkw',
      'oqM3DM2T88NuvKhQWEF59Q',
      'n_DsKIlV0sN2rd4yYKfr6g',
      'eLbYsK5YUroEJuuHOwFpRQ',
    ])
      expect(log).not.toContain(mac);
    const paths = lines.map((l) => (JSON.parse(l) as { path: string }).path);
    expect(paths).toContain('/approvals/dCJ00MqDuFoKXkNaOrc6o3.<redacted>');
    expect(paths).toContain('/r/gddiZIMtuxWoSy3j.<redacted>');
    expect(paths).toContain('/u/gddiZIMtuxWoSy3j.<redacted>');
    expect(paths).toContain('/trail/L2BJwMFEeXnmxfbtrcI8Pt.<redacted>');
  });

  it('drops the MAC from mangled links too: extra slashes, trailing segments', () => {
    for (const path of [
      '/approvals/dCJ00MqDuFoKXkNaOrc6o3.-VCnlJM9ueTDPjA3OJvYkw/',
      '//approvals//dCJ00MqDuFoKXkNaOrc6o3.-VCnlJM9ueTDPjA3OJvYkw',
      '/approvals/dCJ00MqDuFoKXkNaOrc6o3.-VCnlJM9ueTDPjA3OJvYkw/x',
      '/r/x/dCJ00MqDuFoKXkNaOrc6o3.-VCnlJM9ueTDPjA3OJvYkw',
    ]) {
      expect(loggablePath(path)).not.toContain('VCnlJM9ueTDPjA3OJvYkw');
      expect(loggablePath(path)).toContain('dCJ00MqDuFoKXkNaOrc6o3.<redacted>');
    }
  });

  it('leaves every other path as it is', () => {
    for (const path of [
      '/api/alerts/alr_01m8vtcjz21b4mqb9d2znz8f3b',
      '/addin/taskpane.js',
      '/slack/events',
      '/r',
      '/healthz',
    ])
      expect(loggablePath(path)).toBe(path);
  });
});
