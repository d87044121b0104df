import { resolve } from 'node:path';
import type { Env } from '../../config/env.js';
import { startSmtpCatcher } from '../../sandbox/smtp/index.js';
import type { Cleanups } from './cleanups.js';

export interface MailStep {
  smtpUrl: string;
  /** The embedded SMTP catcher's outbox page, when SMTP_URL is unset. */
  outboxUrl?: string;
}

/** SMTP_URL, else the local catcher with an outbox page. */
export async function startMail(env: Env, dataDir: string, cleanups: Cleanups): Promise<MailStep> {
  if (env.SMTP_URL) return { smtpUrl: env.SMTP_URL };
  const catcher = await startSmtpCatcher({
    port: env.SMTP_CATCHER_PORT,
    webPort: env.SMTP_OUTBOX_PORT,
    host: env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST,
    dataDir: resolve(dataDir, 'outbox'),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new Error('SMTP_CATCHER_PORT or SMTP_OUTBOX_PORT is already in use; set another port, or SMTP_URL')
      : error;
  });
  cleanups.defer(() => catcher.close());
  return { smtpUrl: catcher.smtpUrl, outboxUrl: catcher.url };
}
