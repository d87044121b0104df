import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiConfig } from './api-client.js';
import { UsageError } from './command.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * Where the API is and the token to use: RAPPORT_URL (default the local server) and
 * RAPPORT_TOKEN (default the token the server generated into .data/api-token here).
 */
export function apiConfig(env: Record<string, string | undefined>, cwd: string): ApiConfig {
  const url = env.RAPPORT_URL || DEFAULT_URL;
  let token = env.RAPPORT_TOKEN?.trim();
  if (!token) {
    const file = join(cwd, '.data', 'api-token');
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      throw new UsageError(`no API token: set RAPPORT_TOKEN, or run where the server wrote ${file}`);
    }
  }
  return { url, token };
}
