import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaughtMessage } from './caught-message.js';

/** Catcher ids are ULIDs; anything else never reaches the file system. */
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Persists messages as `messages/<id>.eml` plus `index.jsonl` (one CaughtMessage per line).
 * The .eml is written before its index line, so every indexed message has its file.
 */
export class MailDir {
  private index: WriteStream;
  private readonly messagesDir: string;
  private readonly indexPath: string;

  private constructor(readonly dir: string) {
    this.messagesDir = join(dir, 'messages');
    this.indexPath = join(dir, 'index.jsonl');
    this.index = createWriteStream(this.indexPath, { flags: 'a' });
  }

  static async open(dir: string): Promise<{ mailDir: MailDir; restored: CaughtMessage[] }> {
    await mkdir(join(dir, 'messages'), { recursive: true });
    const restored = await readIndex(join(dir, 'index.jsonl'));
    return { mailDir: new MailDir(dir), restored };
  }

  async save(message: CaughtMessage, raw: Buffer): Promise<void> {
    await writeFile(this.emlPath(message.id), raw);
    this.index.write(JSON.stringify(message) + '\n');
  }

  async read(id: string): Promise<Buffer | undefined> {
    if (!ID.test(id)) return undefined;
    return readFile(this.emlPath(id)).catch(() => undefined);
  }

  async clear(): Promise<void> {
    await endStream(this.index);
    await rm(this.messagesDir, { recursive: true, force: true });
    await mkdir(this.messagesDir, { recursive: true });
    this.index = createWriteStream(this.indexPath, { flags: 'w' });
  }

  async close(): Promise<void> {
    await endStream(this.index);
  }

  private emlPath(id: string) {
    return join(this.messagesDir, `${id}.eml`);
  }
}

async function readIndex(path: string): Promise<CaughtMessage[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const messages: CaughtMessage[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as CaughtMessage;
      if (typeof parsed.id === 'string' && ID.test(parsed.id) && Array.isArray(parsed.recipients))
        messages.push(parsed);
    } catch {
      // A crash mid-write leaves a torn last line; skip it rather than refuse to start.
    }
  }
  return messages;
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed || stream.destroyed) return resolve();
    stream.end(() => resolve());
  });
}
