import { Writable } from 'node:stream';
import pino from 'pino';

/**
 * A logger for Rapport that counts the errors it logs (listener failures, failed follow-ups)
 * rather than printing them; `printErrors` prints them too, for debugging a run.
 */
export function errorCountingLogger(options: { printErrors: boolean }) {
  const counts = { errors: 0, last: '' };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
        if (entry.level < 50) continue;
        counts.errors++;
        counts.last = `${entry.msg ?? ''}: ${entry.err?.message ?? ''}`;
        if (options.printErrors) console.error(line);
      }
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), counts };
}
